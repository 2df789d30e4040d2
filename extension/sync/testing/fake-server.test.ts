import { describe, expect, it } from 'vitest';
import { encodeCompressed, SYNC_PROTOCOL_VERSION, type BatchMessage } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { FakeSyncDatabase, FakeSyncServer } from './fake-server';

/** One session's events; batches are slices of it, so a resend carries identical rows. */
const EVENTS = sampleRecordedEvents('s1', 100);
const batch = (first: number, count: number, batchId = `b${first}`): BatchMessage => ({
  type: 'batch',
  v: SYNC_PROTOCOL_VERSION,
  batchId,
  sessionId: 's1',
  firstSequence: first,
  lastSequence: first + count - 1,
  events: EVENTS.slice(first - 1, first - 1 + count),
});

describe('FakeSyncServer', () => {
  it('stores idempotently across instances and acks the contiguous watermark', () => {
    const db = new FakeSyncDatabase();
    const [a, b] = [new FakeSyncServer(db, 'a'), new FakeSyncServer(db, 'b')];
    expect(a.receive(encodeCompressed(batch(11, 10)))).toEqual([
      { type: 'batch_ack', batchId: 'b11', sessionId: 's1', ackedThrough: 0, inserted: 10, duplicates: 0 },
    ]);
    expect(b.receive(encodeCompressed(batch(1, 10)))).toMatchObject([
      { ackedThrough: 20, inserted: 10, duplicates: 0 },
    ]);
    expect(a.receive(encodeCompressed(batch(5, 10)))).toMatchObject([
      { ackedThrough: 20, inserted: 0, duplicates: 10 },
    ]);
    expect(db).toMatchObject({ storedRows: 20, insertAttempts: 30, duplicateInserts: 10, conflictingDuplicates: 0 });
    expect(db.storedSequences('s1')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('counts a resend whose content differs from the stored row (a sequence must mean one event forever)', () => {
    const db = new FakeSyncDatabase();
    const server = new FakeSyncServer(db);
    server.receive(encodeCompressed(batch(1, 3)));
    const altered = batch(1, 3, 'again');
    altered.events = sampleRecordedEvents('s1', 3, 1).map((e) => ({ ...e, url: 'https://elsewhere.example' }));
    server.receive(encodeCompressed(altered));
    expect(db).toMatchObject({ storedRows: 3, duplicateInserts: 3, conflictingDuplicates: 3 });
  });

  it('answers resume with what it holds, and close with complete or incomplete', () => {
    const db = new FakeSyncDatabase();
    const server = new FakeSyncServer(db);
    server.receive(encodeCompressed(batch(1, 10)));
    server.receive(encodeCompressed(batch(15, 5)));
    expect(server.receive(JSON.stringify({ type: 'resume', sessionIds: ['s1', 'other'] }))).toEqual([
      {
        type: 'resume_state',
        sessions: [
          { sessionId: 's1', known: true, ackedThrough: 10, status: 'active' },
          { sessionId: 'other', known: false, ackedThrough: 0 },
        ],
      },
    ]);
    expect(
      server.receive(JSON.stringify({ type: 'session_close', sessionId: 's1', endTime: 5, finalCount: 19 })),
    ).toEqual([{ type: 'session_closed', sessionId: 's1', status: 'incomplete', ackedThrough: 10, missing: 4 }]);
    server.receive(encodeCompressed(batch(11, 4)));
    expect(
      server.receive(JSON.stringify({ type: 'session_close', sessionId: 's1', endTime: 5, finalCount: 19 })),
    ).toEqual([{ type: 'session_closed', sessionId: 's1', status: 'complete', ackedThrough: 19, missing: 0 }]);
    expect(db.status('s1')).toBe('complete');
  });

  it('refuses undecodable and invalid frames with permanent errors', () => {
    const server = new FakeSyncServer(new FakeSyncDatabase());
    expect(server.receive(new Uint8Array([1, 2, 3]))).toMatchObject([
      { type: 'error', code: 'invalid_json', retryable: false },
    ]);
    const gap = batch(1, 3);
    gap.events.splice(1, 1);
    expect(server.receive(encodeCompressed(gap))).toMatchObject([
      { type: 'error', code: 'validation_failed', batchId: 'b1', retryable: false },
    ]);
    expect(server.receive(JSON.stringify({ type: 'nonsense' }))).toMatchObject([{ code: 'unknown_type' }]);
  });

  it('applies a test refusal instead of storing', () => {
    const db = new FakeSyncDatabase();
    const server = new FakeSyncServer(db);
    server.refuseBatch = () => ({ code: 'forbidden', message: 'not yours', retryable: false });
    expect(server.receive(encodeCompressed(batch(1, 2)))).toEqual([
      { type: 'error', code: 'forbidden', message: 'not yours', retryable: false, batchId: 'b1' },
    ]);
    expect(db.storedRows).toBe(0);
    expect(server.refusals).toBe(1);
  });

  it('loseRows rewinds the watermark (a restore from an old backup)', () => {
    const db = new FakeSyncDatabase();
    new FakeSyncServer(db).receive(encodeCompressed(batch(1, 20)));
    db.loseRows('s1', 5, 8);
    expect(db.ackedThrough('s1')).toBe(4);
    expect(db.storedRows).toBe(16);
  });
});
