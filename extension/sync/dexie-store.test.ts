import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleCapturedEvents } from '@codesight/schema/fixtures';
import { AppDB } from '../db/app-db';
import { startSession, stopSession } from '../recording/session-lifecycle';
import { storeCapturedEvents } from '../recording/store-captured';
import { DexieSyncStore } from './dexie-store';

let db: AppDB;
let store: DexieSyncStore;
let n = 0;
const env = { userAgent: 'ua', maskingPolicy: { version: '1', rules: ['password' as const] }, now: 1000 };

async function record(sessionId: string, count: number) {
  await startSession(db, sessionId, env);
  const captured = sampleCapturedEvents();
  await storeCapturedEvents(db, Array.from({ length: count }, (_, i) => ({
    clientId: `${sessionId}-client-${i}`, sessionId, event: { ...captured[i % captured.length]!, timestamp: 1000 + i },
  })));
}

beforeEach(() => {
  db = new AppDB(`dexie-sync-${++n}`);
  store = new DexieSyncStore(db);
});
afterEach(() => db.delete());

describe('DexieSyncStore', () => {
  it('reads event ranges in sequence order with a limit', async () => {
    await record('a', 30);
    expect((await store.readEvents('a', 5, 20, 10)).map((e) => e.sequence)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect((await store.readEvents('a', 28, 40, 10)).map((e) => e.sequence)).toEqual([28, 29, 30]);
    expect(await store.readEvents('nope', 1, 10, 10)).toEqual([]);
  });

  it('never lowers ackedThrough', async () => {
    await record('a', 30);
    expect(await store.setAckedThrough('a', 20)).toBe(20);
    expect(await store.setAckedThrough('a', 7)).toBe(20);
    expect((await db.syncState.get('a'))?.ackedThrough).toBe(20);
  });

  it('lists sessions with unacked events, or ended and not closed on the server, with their meta', async () => {
    await record('a', 30);
    expect((await store.listPendingSessions()).map((p) => [p.sessionId, p.eventCount, p.ackedThrough, p.ended])).toEqual([['a', 30, 0, false]]);
    await store.setAckedThrough('a', 30);
    expect(await store.listPendingSessions()).toEqual([]);
    await stopSession(db, 5000);
    expect(await store.listPendingSessions()).toMatchObject([{ sessionId: 'a', ended: true, endTime: 5000, closedOnServer: false, meta: { startTime: 1000, userAgent: 'ua' } }]);
    await store.markClosedOnServer('a');
    expect(await store.listPendingSessions()).toEqual([]);
  });

  it('keeps one quarantine per session, keeps it across the ack watermark, and the sync meta', async () => {
    await record('a', 3);
    const q = { sessionId: 'a', firstSequence: 2, lastSequence: 2, code: 'forbidden' as const, reason: 'x', at: 1 };
    await store.addQuarantine(q);
    await store.setAckedThrough('a', 1);
    await store.addQuarantine({ ...q, firstSequence: 3, lastSequence: 3 });
    expect(await store.listQuarantine()).toEqual([{ ...q, firstSequence: 3, lastSequence: 3 }]);
    expect((await db.syncState.get('a'))?.ackedThrough).toBe(1);
    await store.removeQuarantine('a');
    expect(await store.listQuarantine()).toEqual([]);
    expect(await store.loadSyncMeta()).toEqual({});
    await store.saveSyncMeta({ lastSyncAt: 5, lastError: { code: 'connection', message: 'down', at: 4 } });
    expect(await store.loadSyncMeta()).toEqual({ lastSyncAt: 5, lastError: { code: 'connection', message: 'down', at: 4 } });
  });
});
