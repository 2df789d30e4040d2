import { afterEach, describe, expect, it, vi } from 'vitest';
import { LIMITS } from '../limits';
import { validate } from '../validate';
import { SessionStartMessageSchema } from './legacy';
import { sessionMetadataProblem, sessionStartMetadata } from './session-metadata';

const MAX = LIMITS.sessionMetadataBytes;

/** `{"note":"xxx…"}` taking exactly `bytes` bytes of JSON. */
const metadataOfBytes = (bytes: number) => ({ note: 'x'.repeat(bytes - '{"note":""}'.length) });

/** Nests `value` in `depth` objects. */
function nested(depth: number, value: unknown = 1): unknown {
  let out = value;
  for (let i = 0; i < depth; i++) out = { a: out };
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('sessionMetadataProblem', () => {
  it('accepts metadata of exactly the byte bound and refuses one byte more as payload_too_large', () => {
    expect(JSON.stringify(metadataOfBytes(MAX)).length).toBe(MAX);
    expect(sessionMetadataProblem(metadataOfBytes(MAX))).toBeUndefined();
    expect(sessionMetadataProblem(metadataOfBytes(MAX + 1))).toMatchObject({ code: 'payload_too_large' });
  });

  it('counts UTF-8 bytes and escapes, not characters', () => {
    const chars = MAX - '{"note":""}'.length;
    expect(sessionMetadataProblem({ note: 'é'.repeat(chars) })).toMatchObject({ code: 'payload_too_large' });
    expect(sessionMetadataProblem({ note: '"'.repeat(chars) })).toMatchObject({ code: 'payload_too_large' });
  });

  it('refuses more than sessionMetadataKeys keys, however small', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1]));
    expect(sessionMetadataProblem(keys(LIMITS.sessionMetadataKeys))).toBeUndefined();
    expect(sessionMetadataProblem(keys(LIMITS.sessionMetadataKeys + 1))).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringContaining(`more than ${LIMITS.sessionMetadataKeys} keys`) as string,
    });
  });

  it('refuses metadata nested deeper than sessionMetadataDepth as validation_failed', () => {
    // The metadata object itself is the first level.
    expect(sessionMetadataProblem({ m: nested(LIMITS.sessionMetadataDepth - 1) })).toBeUndefined();
    expect(sessionMetadataProblem({ m: nested(LIMITS.sessionMetadataDepth) })).toMatchObject({
      code: 'validation_failed',
    });
  });

  it('stops at the bound: ten million array items are refused without serializing anything', () => {
    const stringify = vi.spyOn(JSON, 'stringify');
    const huge = { list: new Array<number>(10_000_000).fill(0) };
    expect(sessionMetadataProblem(huge)).toMatchObject({ code: 'payload_too_large' });
    expect(stringify).not.toHaveBeenCalled();
  });

  it('takes the keys of session_start other than its own fields as metadata', () => {
    expect(
      sessionStartMetadata({ type: 'session_start', sessionId: 's', startTime: 1, url: 'u', userAgent: 'a', task: 7 }),
    ).toEqual({ task: 7 });
  });
});

describe('SessionStartMessageSchema', () => {
  it('keeps the legacy format: extra top-level keys are metadata', () => {
    const message = {
      type: 'session_start',
      sessionId: 'cs_md0ap0gn_thwyx',
      startTime: 1752327000000,
      url: 'https://shop.example/',
      userAgent: 'Mozilla/5.0',
      task: 'buy a mug',
    };
    expect(validate(SessionStartMessageSchema, message)).toEqual({ ok: true, value: message });
  });

  it('refuses metadata past its bound before validating a key', () => {
    const result = validate(SessionStartMessageSchema, {
      type: 'session_start',
      sessionId: 'cs_big',
      ...metadataOfBytes(MAX + 1),
    });
    expect(result).toMatchObject({ ok: false, error: { message: expect.stringContaining(`${MAX} bytes`) as string } });
  });

  it('still names a wrong type for input that is not an object', () => {
    expect(validate(SessionStartMessageSchema, 'nope')).toMatchObject({ ok: false });
  });
});
