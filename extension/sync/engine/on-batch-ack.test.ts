import { describe, expect, it } from 'vitest';
import type { BatchAck } from '@codesight/schema';
import { sessionSync } from '../testing/session-sync-fixture';
import { onBatchAck, type AckVerdict } from './on-batch-ack';
import type { InFlightBatch } from './in-flight';

const ack = (ackedThrough: number, sessionId = 's1'): BatchAck => ({
  type: 'batch_ack',
  batchId: 'b',
  sessionId,
  ackedThrough,
  inserted: 10,
  duplicates: 0,
});
const batch = (first: number, last: number, sessionId = 's1'): InFlightBatch => ({ sessionId, first, last });

describe('onBatchAck', () => {
  it.each<{ name: string; acked: number; batch?: InFlightBatch; ack: BatchAck; verdict: AckVerdict }>([
    {
      name: 'the next batch in order: the watermark rises past it',
      acked: 10,
      batch: batch(11, 20),
      ack: ack(20),
      verdict: { kind: 'applied', held: undefined, raiseTo: 20 },
    },
    {
      name: 'stored past a gap: held, watermark unchanged',
      acked: 0,
      batch: batch(11, 20),
      ack: ack(0),
      verdict: { kind: 'applied', held: { first: 11, last: 20 }, raiseTo: undefined },
    },
    {
      name: 'a gap partly filled: held and raised',
      acked: 0,
      batch: batch(21, 30),
      ack: ack(10),
      verdict: { kind: 'applied', held: { first: 21, last: 30 }, raiseTo: 10 },
    },
    {
      name: 'a late duplicate of an older answer: nothing changes',
      acked: 30,
      batch: undefined,
      ack: ack(10),
      verdict: { kind: 'applied', held: undefined, raiseTo: undefined },
    },
    {
      name: 'a batch already below the watermark is not held',
      acked: 30,
      batch: batch(11, 20),
      ack: ack(5),
      verdict: { kind: 'applied', held: undefined, raiseTo: undefined },
    },
    {
      name: 'a batch of another session says nothing about this one',
      acked: 0,
      batch: batch(11, 20, 'other'),
      ack: ack(0),
      verdict: { kind: 'applied', held: undefined, raiseTo: undefined },
    },
  ])('$name', ({ acked, batch: inFlight, ack: answer, verdict }) => {
    const s = sessionSync({ eventCount: 100, acked });
    const before = structuredClone(s);
    expect(onBatchAck(s, inFlight, answer)).toEqual(verdict);
    expect(s).toEqual(before);
  });

  it('an ack for a session the engine let go of records nothing', () => {
    expect(onBatchAck(undefined, batch(1, 10), ack(10))).toEqual({ kind: 'no_session' });
  });
});
