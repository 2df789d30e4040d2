import { describe, expect, it } from 'vitest';
import { err, fail, ok, type Result } from './result';

function parsePort(text: string): Result<number> {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? ok(n) : fail('bad_port', `not a port: ${text}`);
}

describe('Result', () => {
  it('tells success from failure by ok alone', () => {
    const good = parsePort('80');
    const bad = parsePort('x');
    expect(good).toEqual({ ok: true, value: 80 });
    expect(bad).toEqual({ ok: false, error: { code: 'bad_port', message: 'not a port: x' } });
    if (bad.ok) throw new Error('unreachable');
    expect(bad.error.code).toBe('bad_port');
  });

  it('carries any error value and an empty success', () => {
    expect(err(['a', 'b'])).toEqual({ ok: false, error: ['a', 'b'] });
    expect(ok()).toEqual({ ok: true, value: undefined });
  });
});
