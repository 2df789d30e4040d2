import { ok } from '@codesight/schema';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF } from './backoff';
import { defineJobKind } from './job-kind';
import { createJobRegistry, MAX_PAYLOAD_BYTES } from './job-registry';

const kind = (name: string) =>
  defineJobKind({
    kind: name,
    payload: v.object({ id: v.pipe(v.string(), v.maxLength(10)) }),
    timeoutMs: 1000,
    maxAttempts: 2,
    backoff: DEFAULT_BACKOFF,
    run: () => Promise.resolve(ok(null)),
  });

describe('job registry', () => {
  const registry = createJobRegistry([kind('one'), kind('two-b')]);

  it('validates a payload against its kind and returns the schema output', () => {
    expect(registry.validate('one', { id: 'x', extra: 1 })).toMatchObject({
      ok: true,
      value: { payload: { id: 'x' } },
    });
    expect(registry.kinds()).toEqual(['one', 'two-b']);
  });

  it('names what is wrong with a payload', () => {
    expect(registry.validate('one', { id: 'x'.repeat(11) })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringContaining('id') as unknown },
    });
    expect(registry.validate('one', undefined)).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    expect(registry.validate('three', { id: 'x' })).toMatchObject({ ok: false, error: { code: 'unknown_kind' } });
  });

  it('refuses a payload over the size bound before validating it', () => {
    expect(registry.validate('one', { id: 'x', pad: 'y'.repeat(MAX_PAYLOAD_BYTES) })).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large' },
    });
  });

  it('refuses malformed and repeated kind names', () => {
    expect(() => createJobRegistry([kind('Bad Name')])).toThrow(/lower-case/);
    expect(() => createJobRegistry([kind('one'), kind('one')])).toThrow(/twice/);
  });
});
