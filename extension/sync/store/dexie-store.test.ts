import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { FakeClock, sampleCapturedEvents } from '@codesight/schema/testing';
import { AppDB } from '../../db/app-db';
import { storeCapturedEvents } from '../../recording/store-captured';
import { DexieSyncStore } from './dexie-store';
import { describeSyncStoreContract } from '../testing/store-contract';

let n = 0;

// The same behaviour suite the memory store passes, over IndexedDB with the recorder's real writes.
describeSyncStoreContract('dexie', () => {
  const db = new AppDB(`dexie-sync-${++n}`);
  let clientIds = 0;
  return {
    store: new DexieSyncStore(db),
    async createSession(sessionId, meta) {
      await db.sessions.add({
        id: sessionId,
        startTime: meta.startTime,
        status: 'recording',
        eventCount: 0,
        eventCounts: {},
        pagesVisited: [],
        userAgent: meta.userAgent,
        extensionVersion: meta.extensionVersion,
        maskingPolicy: meta.maskingPolicy,
      });
    },
    async appendEvents(sessionId, events) {
      const reply = await storeCapturedEvents(
        db,
        events.map((event) => ({ clientId: `client-${++clientIds}-x`, sessionId, event })),
      );
      if (reply.stored.length !== events.length)
        throw new Error(`stored ${reply.stored.length} of ${events.length}: ${JSON.stringify(reply.refused)}`);
    },
    async endSession(sessionId, endTime) {
      await db.sessions.update(sessionId, { status: 'stopped', endTime });
    },
  };
});

describe('DexieSyncStore pruning', () => {
  it("deletes a completed session's events only when the worker chose to prune", async () => {
    for (const prune of [false, true]) {
      const db = new AppDB(`dexie-prune-${prune}`);
      const clock = new FakeClock(1_234);
      const store = new DexieSyncStore(db, { pruneWhenClosed: () => prune, clock });
      await db.sessions.add({
        id: 's',
        startTime: 1,
        status: 'recording',
        eventCount: 0,
        eventCounts: {},
        pagesVisited: [],
        userAgent: 'ua',
        maskingPolicy: { version: '1', rules: [] },
      });
      await storeCapturedEvents(
        db,
        sampleCapturedEvents()
          .slice(0, 3)
          .map((event, i) => ({ clientId: `prune-${i}-xxxx`, sessionId: 's', event })),
      );
      await db.sessions.update('s', { status: 'stopped', endTime: 2 });
      await store.setAckedThrough('s', 3);
      await store.markClosedOnServer('s');
      expect(await db.events.count()).toBe(prune ? 0 : 3);
      expect((await db.sessions.get('s'))?.prunedAt).toBe(prune ? 1_234 : undefined);
      expect(await store.listPendingSessions()).toEqual([]);
      await db.delete();
    }
  });
});
