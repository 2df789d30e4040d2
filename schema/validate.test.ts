import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits';
import { truncateMessage, validate } from './validate';

describe('validate (issue 10: bounded work and message)', () => {
  it('stops at the first issue instead of collecting one per item', () => {
    let checked = 0;
    const Item = v.pipe(
      v.object({ type: v.string(), timestamp: v.number() }),
      v.check(() => {
        checked++;
        return true;
      }),
    );
    const stubs = Array.from({ length: 60_000 }, () => ({ type: 'click' }));
    const result = validate(v.array(Item), stubs);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toEqual(['0.timestamp: Invalid key: Expected "timestamp" but received undefined']);
    expect(checked).toBe(0);
  });

  it('never echoes more than LIMITS.errorMessage characters of what it was sent', () => {
    const result = validate(v.object({ n: v.number() }), { n: 'x'.repeat(1_000_000) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message.length).toBeLessThanOrEqual(LIMITS.errorMessage);
    expect(result.error.message).toMatch(/^n: Invalid type: Expected number but received "xxx/);
    expect(result.error.message.endsWith('…')).toBe(true);
  });

  it('truncates only what is too long', () => {
    expect(truncateMessage('short', 10)).toBe('short');
    expect(truncateMessage('a'.repeat(20), 10)).toBe(`${'a'.repeat(9)}…`);
  });
});
