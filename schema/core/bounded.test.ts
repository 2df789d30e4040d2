import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { LIMITS, MAX_EPOCH_MS, MAX_INT4 } from '../limits';
import { validate } from '../validate';
import {
  boundedArray,
  EpochMsSchema,
  FiniteSchema,
  int4Schema,
  IsoTimeSchema,
  JsonObjectSchema,
  jsonShapeProblem,
  jsonTextCharsExceed,
  SafeIntegerSchema,
} from './bounded';

/** Nests `value` in `depth` objects: `{"a":{"a":...value}}`. */
function nested(depth: number, value: unknown = 1): unknown {
  let out = value;
  for (let i = 0; i < depth; i++) out = { a: out };
  return out;
}

describe('boundedArray', () => {
  it('checks the length before validating a single item', () => {
    let validated = 0;
    const Counted = v.pipe(
      v.number(),
      v.check(() => {
        validated++;
        return true;
      }),
    );
    const result = validate(
      boundedArray(Counted, 5_000),
      Array.from({ length: 60_000 }, () => 1),
    );
    expect(result).toMatchObject({
      ok: false,
      error: { message: 'Invalid length: Expected <=5000 but received 60000' },
    });
    expect(validated).toBe(0);
  });

  it('validates the items of an array within its bounds, and refuses what is not an array', () => {
    const Schema = boundedArray(v.number(), 3, 1);
    expect(validate(Schema, [1, 2, 3])).toEqual({ ok: true, value: [1, 2, 3] });
    expect(validate(Schema, [])).toMatchObject({ ok: false });
    const mixed = validate(Schema, [1, 'x']);
    expect(!mixed.ok && mixed.error.message).toBe('1: Invalid type: Expected number but received "x"');
    expect(validate(Schema, { length: 1 })).toMatchObject({
      ok: false,
      error: { message: 'Invalid type: Expected Array but received Object' },
    });
  });
});

describe('numbers that fit their columns', () => {
  it.each([
    ['a bigint column', SafeIntegerSchema, [0, -1, 2 ** 53 - 1], [1e19, -1e19, 2 ** 53, 1.5, Infinity]],
    ['an integer column', int4Schema(0), [0, MAX_INT4], [MAX_INT4 + 1, -1, 0.5]],
    ['an epoch-ms time', EpochMsSchema, [0, MAX_EPOCH_MS], [MAX_EPOCH_MS + 1, -1, 8.64e15, 1.5]],
    ['a double column', FiniteSchema, [0, -1.5, 1e308], [Infinity, -Infinity, NaN]],
  ])('%s', (_what, schema: v.GenericSchema, good: number[], bad: number[]) => {
    for (const n of good) expect(validate(schema, n).ok, String(n)).toBe(true);
    for (const n of bad) expect(validate(schema, n).ok, String(n)).toBe(false);
  });

  it('accepts ISO times from 1970 to 9999 only', () => {
    expect(validate(IsoTimeSchema, '2025-07-12T13:30:00.000Z').ok).toBe(true);
    expect(validate(IsoTimeSchema, '0000-01-01T00:00:00Z').ok).toBe(false);
    expect(validate(IsoTimeSchema, '2025-02-30T00:00:00Z').ok, 'no 30 February').toBe(false);
    expect(validate(IsoTimeSchema, '2024-02-29T00:00:00Z').ok, 'a leap day').toBe(true);
    expect(validate(IsoTimeSchema, '2025-04-31T23:59:59Z').ok).toBe(false);
    expect(validate(IsoTimeSchema, '1969-12-31T23:59:59Z').ok).toBe(false);
  });
});

describe('free-form JSON', () => {
  it('measures depth and array length without recursion, stopping at the first problem', () => {
    expect(jsonShapeProblem(1, 2, 10)).toBeUndefined();
    expect(jsonShapeProblem(nested(2), 2, 10)).toBeUndefined();
    expect(jsonShapeProblem(nested(3), 2, 10)).toBe('nested deeper than 2 levels');
    expect(jsonShapeProblem({ a: [1, 2, 3] }, 5, 2)).toBe('an array of 3 items (at most 2)');
    expect(jsonShapeProblem(nested(150_000), LIMITS.jsonDepth, LIMITS.arrayItems)).toBe(
      `nested deeper than ${LIMITS.jsonDepth} levels`,
    );
  });

  it('keeps any JSON object within the bounds and refuses a deeper one', () => {
    const context = { form: { id: 'f' }, list: [1, { b: null }], flag: true };
    expect(validate(JsonObjectSchema, context)).toEqual({ ok: true, value: context });
    expect(validate(JsonObjectSchema, { deep: nested(LIMITS.jsonDepth) }).ok).toBe(true);
    expect(validate(JsonObjectSchema, { deep: nested(LIMITS.jsonDepth + 1) }).ok).toBe(false);
  });
});

describe('jsonTextCharsExceed', () => {
  it('adds up the characters of strings and keys, at any depth', () => {
    const value = { ab: 'cde', list: ['f', { gh: 'ij' }], n: 12, ok: true, none: null };
    // ab cde list f gh ij n ok none: 2+3+4+1+2+2+1+2+4 = 21
    expect(jsonTextCharsExceed(value, 21)).toBe(false);
    expect(jsonTextCharsExceed(value, 20)).toBe(true);
    expect(jsonTextCharsExceed('x'.repeat(10), 9)).toBe(true);
    expect(jsonTextCharsExceed(42, 0)).toBe(false);
  });
});
