import { describe, expect, it } from 'vitest';
import { LIMITS } from '../limits';
import { validate } from '../validate';
import {
  InteractionDataMessageSchema,
  ScreenshotDataMessageSchema,
  SessionEndMessageSchema,
  SessionStartMessageSchema,
} from './legacy';

/** Nests 1 in `depth` objects. */
function nested(depth: number): unknown {
  let out: unknown = 1;
  for (let i = 0; i < depth; i++) out = { a: out };
  return out;
}

describe('legacy messages (issue 10)', () => {
  it('keep unknown keys of any JSON within the bounds, as old clients send them', () => {
    const start = { type: 'session_start', sessionId: 'cs_1', startTime: 1_752_327_000_000, task: { name: 'mug' } };
    expect(validate(SessionStartMessageSchema, start)).toEqual({ ok: true, value: start });
    const data = { type: 'click', timestamp: 1_752_327_000_000.5, custom: [1, 'two'], context: { form: null } };
    expect(validate(InteractionDataMessageSchema, { type: 'interaction_data', sessionId: 'cs_1', data }).ok).toBe(true);
  });

  it('refuse free-form values nested past LIMITS.jsonDepth (they are stored, and stack overflowed the server)', () => {
    const deep = nested(LIMITS.jsonDepth + 1);
    const data = { type: 'click', timestamp: 1 };
    for (const message of [
      { type: 'session_start', sessionId: 'cs_1', meta: deep },
      { type: 'interaction_data', sessionId: 'cs_1', data: { ...data, context: { x: deep } } },
      { type: 'interaction_data', sessionId: 'cs_1', data: { ...data, extra: deep } },
      { type: 'screenshot_data', sessionId: 'cs_1', image: 'x', extra: deep },
      { type: 'session_end', sessionId: 'cs_1', endTime: 1, extra: deep },
    ]) {
      const schema = {
        session_start: SessionStartMessageSchema,
        interaction_data: InteractionDataMessageSchema,
        screenshot_data: ScreenshotDataMessageSchema,
        session_end: SessionEndMessageSchema,
      }[message.type]!;
      expect(validate(schema, message).ok, message.type).toBe(false);
    }
  });

  it('refuse an interaction_data array over eventsPerBatch by its length', () => {
    const stubs = Array.from({ length: 60_000 }, () => ({ type: 'click' }));
    const result = validate(InteractionDataMessageSchema, { type: 'interaction_data', sessionId: 'cs_1', data: stubs });
    expect(result.ok).toBe(false);
  });

  it('refuse numbers their columns cannot hold', () => {
    const shot = { type: 'screenshot_data', sessionId: 'cs_1', image: 'x' };
    expect(validate(ScreenshotDataMessageSchema, { ...shot, burstIndex: 2 ** 31 }).ok).toBe(false);
    expect(validate(ScreenshotDataMessageSchema, { ...shot, compressionRatio: 1e39 }).ok).toBe(false);
    expect(validate(ScreenshotDataMessageSchema, { ...shot, width: Infinity }).ok).toBe(false);
    expect(
      validate(SessionEndMessageSchema, { type: 'session_end', sessionId: 'cs_1', endTime: '0000-01-01T00:00:00Z' }).ok,
    ).toBe(false);
    expect(
      validate(SessionEndMessageSchema, { type: 'session_end', sessionId: 'cs_1', endTime: 1, totalEvents: 2 ** 31 })
        .ok,
    ).toBe(false);
    const data = { type: 'click', timestamp: 8.64e15 };
    expect(validate(InteractionDataMessageSchema, { type: 'interaction_data', sessionId: 'cs_1', data }).ok).toBe(
      false,
    );
  });
});
