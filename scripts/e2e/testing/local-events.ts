import type { Page } from 'playwright-core';
import type { RecordedEvent, Session } from '@codesight/schema';
import { dumpExtensionDb } from './extension-db';

/**
 * How many events of `sessionId` the extension's IndexedDB holds, counted in the page without
 * reading them (cheap enough to poll while thousands are written).
 */
export function countLocalEvents(extensionPage: Page, sessionId: string): Promise<number> {
  return extensionPage.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('codesight');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('indexedDB.open(codesight) failed'));
    });
    try {
      return await new Promise<number>((resolve, reject) => {
        const req = db
          .transaction('events')
          .objectStore('events')
          .count(IDBKeyRange.bound([id, -Infinity], [id, Infinity]));
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('counting events failed'));
      });
    } finally {
      db.close();
    }
  }, sessionId);
}

/** A session as recorded locally: its row and its events in sequence order. */
export interface LocalSession {
  session: Session | undefined;
  events: RecordedEvent[];
}

/** Reads one session's row and events through {@link dumpExtensionDb} (the whole database, as stored). */
export async function readLocalSession(extensionPage: Page, sessionId: string): Promise<LocalSession> {
  const dump = await dumpExtensionDb(extensionPage);
  const session = (dump.sessions as Session[] | undefined)?.find((s) => s.id === sessionId);
  const events = ((dump.events ?? []) as RecordedEvent[])
    .filter((e) => e.sessionId === sessionId)
    .sort((a, b) => a.sequence - b.sequence);
  return { session, events };
}
