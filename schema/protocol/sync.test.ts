import { describe, expect, it } from 'vitest';
import { BatchMessageSchema, ResumeMessageSchema, SessionCloseMessageSchema, SYNC_PROTOCOL_VERSION } from './sync';
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

describe('batch protocol bounds (issue 10)', () => {
  it('refuses more than eventsPerBatch events by their count, before looking at any of them', () => {
    const stubs = Array.from({ length: 60_000 }, () => ({ type: 'click' }));
    const result = validate(BatchMessageSchema, { ...batch(1, 1), lastSequence: 60_000, events: stubs });
    expect(result).toMatchObject({
      ok: false,
      error: { message: 'events: Invalid length: Expected <=5000 but received 60000' },
    });
  });

  it('refuses sequences and counts past int4 and times past 9999', () => {
    expect(validate(BatchMessageSchema, { ...batch(1, 1), firstSequence: 2 ** 31, lastSequence: 2 ** 31 }).ok).toBe(
      false,
    );
    const close = { type: 'session_close', sessionId: 's1', endTime: 1_752_327_000_000, finalCount: 3 };
    expect(validate(SessionCloseMessageSchema, close).ok).toBe(true);
    expect(validate(SessionCloseMessageSchema, { ...close, endTime: 8.64e15 }).ok).toBe(false);
    expect(validate(SessionCloseMessageSchema, { ...close, finalCount: 2 ** 31 }).ok).toBe(false);
  });

  it('bounds resume before looking at the ids', () => {
    const ids = Array.from({ length: 1_001 }, (_, i) => `s${i}`);
    expect(validate(ResumeMessageSchema, { type: 'resume', sessionIds: ids })).toMatchObject({
      ok: false,
      error: { message: 'sessionIds: Invalid length: Expected <=1000 but received 1001' },
    });
  });
});
