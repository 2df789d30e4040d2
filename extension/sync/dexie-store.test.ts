import 'fake-indexeddb/auto';
import { AppDB } from '../db/app-db';
import { storeCapturedEvents } from '../recording/store-captured';
import { DexieSyncStore } from './dexie-store';
import { describeSyncStoreContract } from './store-contract';

let n = 0;

// The same behaviour suite the memory store passes, over IndexedDB with the recorder's real writes.
describeSyncStoreContract('dexie', async () => {
  const db = new AppDB(`dexie-sync-${++n}`);
  let clientIds = 0;
  return {
    store: new DexieSyncStore(db),
    async createSession(sessionId, meta) {
      await db.sessions.add({
        id: sessionId, startTime: meta.startTime, status: 'recording', eventCount: 0, eventCounts: {},
        pagesVisited: [], userAgent: meta.userAgent, extensionVersion: meta.extensionVersion, maskingPolicy: meta.maskingPolicy,
      });
    },
    async appendEvents(sessionId, events) {
      const reply = await storeCapturedEvents(db, events.map((event) => ({ clientId: `client-${++clientIds}-x`, sessionId, event })));
      if (reply.stored.length !== events.length) throw new Error(`stored ${reply.stored.length} of ${events.length}: ${JSON.stringify(reply.refused)}`);
    },
    async endSession(sessionId, endTime) {
      await db.sessions.update(sessionId, { status: 'stopped', endTime });
    },
  };
});
