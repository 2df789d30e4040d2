import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { sampleCapturedEvents, sampleRecordedEvents } from '../testing/events';
import { literalVariant } from './literal-variant';

const options = [
  v.object({ type: v.literal('a'), n: v.number() }),
  v.object({ type: v.literal('b'), s: v.pipe(v.string(), v.maxLength(3)) }),
  v.object({ type: v.literal(3), flag: v.boolean() }),
] as const;
const searching = v.variant('type', options, 'not on the list');
const lookingUp = literalVariant('type', options, 'not on the list');

/** Output and issues as comparable plain data (issues carry schema references). */
function outcome(schema: v.GenericSchema, input: unknown) {
  const result = v.safeParse(schema, input);
  return {
    success: result.success,
    output: result.output,
    issues: result.issues?.map((i) => ({
      kind: i.kind,
      type: i.type,
      message: i.message,
      expected: i.expected,
      received: i.received,
      path: i.path?.map((p) => p.key),
    })),
  };
}

describe('literalVariant', () => {
  it.each([
    ['a valid first option', { type: 'a', n: 1 }],
    ['a valid later option', { type: 'b', s: 'xy' }],
    ['a numeric literal', { type: 3, flag: true }],
    ['unknown keys dropped like v.object', { type: 'a', n: 1, extra: 'x' }],
    ['a wrong field in a known option', { type: 'b', s: 'too long' }],
    ['a missing field in a known option', { type: 'a' }],
    ['an unknown discriminator', { type: 'c', n: 1 }],
    ['a discriminator of the wrong type', { type: ['a'] }],
    ['no discriminator', { n: 1 }],
    ['an inherited discriminator', Object.create({ type: 'a' }) as unknown],
    ['not an object', 'a'],
    ['null', null],
    ['an array', [{ type: 'a', n: 1 }]],
  ])('gives what v.variant gives for %s', (_name, input) => {
    expect(outcome(lookingUp, input)).toEqual(outcome(searching, input));
  });

  it('is what ~standard.validate runs too', () => {
    const result = lookingUp['~standard'].validate({ type: 'b', s: 'too long' });
    expect(result).toEqual(searching['~standard'].validate({ type: 'b', s: 'too long' }));
  });

  it('refuses two options with the same literal', () => {
    expect(() => literalVariant('type', [options[0], options[0]], undefined)).toThrow(/share type = a/);
  });

  it('validates every sample event exactly as before (the event schemas use it)', async () => {
    const { CapturedEventSchema, RecordedEventSchema } = await import('../entities/event');
    const rebuilt = (schema: typeof CapturedEventSchema | typeof RecordedEventSchema) =>
      v.variant(schema.key, schema.options, schema.message);
    for (const event of sampleCapturedEvents()) {
      expect(outcome(CapturedEventSchema, event)).toEqual(outcome(rebuilt(CapturedEventSchema), event));
      const broken = { ...event, timestamp: 'yesterday' };
      expect(outcome(CapturedEventSchema, broken)).toEqual(outcome(rebuilt(CapturedEventSchema), broken));
    }
    for (const event of sampleRecordedEvents('s_0123456789abcdef0123', 30)) {
      expect(outcome(RecordedEventSchema, event)).toEqual(outcome(rebuilt(RecordedEventSchema), event));
    }
  });
});
