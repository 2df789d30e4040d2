import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { fail, ok } from '../core/result';
import { validate } from '../validate';
import { FailureSchema, resultSchema } from './result-schema';

const CountReply = resultSchema(v.object({ count: v.number() }), FailureSchema);

describe('resultSchema', () => {
  it('accepts both sides of a Result exactly as ok() and fail() build them', () => {
    expect(validate(CountReply, ok({ count: 3 }))).toEqual(ok(ok({ count: 3 })));
    expect(validate(CountReply, fail('busy', 'try later'))).toEqual(ok(fail('busy', 'try later')));
  });

  it('refuses a failure without a { code, message } error and a reply without a boolean ok', () => {
    expect(validate(CountReply, { ok: false, error: 'busy' }).ok).toBe(false);
    expect(validate(CountReply, { ok: true, count: 3 }).ok).toBe(false);
    expect(validate(CountReply, { ok: 'yes', value: { count: 3 } }).ok).toBe(false);
  });
});
