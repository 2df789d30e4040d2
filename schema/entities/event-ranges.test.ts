import { describe, expect, it } from 'vitest';
import { MAX_EPOCH_MS, MAX_INT4 } from '../limits';
import { sampleRecordedEvents } from '../testing/events';
import { validate } from '../validate';
import { RecordedEventSchema } from './event';

/** The sample click with `patch` applied to it. */
function click(patch: Record<string, unknown>): unknown {
  const event = sampleRecordedEvents('cs_ranges', 14).find((e) => e.type === 'click')!;
  return { ...event, ...patch };
}

describe('recorded event numbers fit their columns (issue 10, finding B)', () => {
  it('accepts the sample click and the edges of every range', () => {
    expect(validate(RecordedEventSchema, click({})).ok).toBe(true);
    const edges = { tabId: 2 ** 53 - 1, frameId: -1, sequence: MAX_INT4, timestamp: MAX_EPOCH_MS };
    expect(validate(RecordedEventSchema, click(edges)).ok).toBe(true);
  });

  it.each([
    ['tabId past a bigint (it failed the ::bigint cast with a retryable 500)', { tabId: 1e19 }, 'tabId'],
    ['frameId that is not a whole number', { frameId: 1.5 }, 'frameId'],
    ['a sequence past int4', { sequence: MAX_INT4 + 1 }, 'sequence'],
    ['a time past 9999', { timestamp: MAX_EPOCH_MS + 1 }, 'timestamp'],
    ['an infinite offset (JSON 1e999)', { offsetX: Infinity }, 'offsetX'],
    ['infinite coordinates', { coordinates: { x: 1, y: -Infinity } }, 'coordinates.y'],
  ])('refuses %s', (_what, patch, path) => {
    const result = validate(RecordedEventSchema, click(patch));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message.startsWith(`${path}: `)).toBe(true);
  });
});
