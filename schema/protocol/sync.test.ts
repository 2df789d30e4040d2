import { describe, expect, it } from 'vitest';
import { BatchMessageSchema, SYNC_PROTOCOL_VERSION } from './sync';
import { validate } from '../validate';
import { sampleRecordedEvents } from '../testing/events';

const batch = (first: number, count: number) => ({
  type: 'batch',
  v: SYNC_PROTOCOL_VERSION,
  batchId: 'b1',
  sessionId: 's1',
  firstSequence: first,
  lastSequence: first + count - 1,
  events: sampleRecordedEvents('s1', count, first),
});

describe('batch message', () => {
  it('accepts a contiguous run', () => {
    expect(validate(BatchMessageSchema, batch(5, 20)).ok).toBe(true);
  });
  it('refuses a gap, a wrong range or a foreign event', () => {
    const gap = batch(1, 3);
    gap.events.splice(1, 1);
    expect(validate(BatchMessageSchema, gap).ok).toBe(false);
    expect(validate(BatchMessageSchema, { ...batch(1, 3), lastSequence: 9 }).ok).toBe(false);
    const foreign = batch(1, 2);
    foreign.events[1] = { ...foreign.events[1]!, sessionId: 's2' };
    expect(validate(BatchMessageSchema, foreign).ok).toBe(false);
  });
  it('refuses an empty batch', () => {
    expect(validate(BatchMessageSchema, { ...batch(1, 1), events: [] }).ok).toBe(false);
  });
});
