import { describe, expect, it } from 'vitest';
import type { CapturedEvent, SessionMeta } from '@codesight/schema';
import { sampleCapturedEvents, sampleSession } from '@codesight/schema/testing';
import type { SyncStore } from '../store/store';

/** A store under test plus the recorder-side writes the {@link SyncStore} interface leaves out. */
export interface StoreUnderTest {
  store: SyncStore;
  createSession(sessionId: string, meta: SessionMeta): Promise<void>;
  /** Writes events durably with the next sequences. */
  appendEvents(sessionId: string, events: readonly CapturedEvent[]): Promise<void>;
  endSession(sessionId: string, endTime: number): Promise<void>;
}

const meta: SessionMeta = (() => {
  const s = sampleSession('x', 0);
  return {
    startTime: s.startTime,
    userAgent: s.userAgent,
    extensionVersion: s.extensionVersion,
    maskingPolicy: s.maskingPolicy,
  };
})();

/**
 * The behaviour every {@link SyncStore} must have, as a vitest suite: run it for the memory store and
 * for the Dexie store (`describeSyncStoreContract('dexie', async () => ...)` with fake-indexeddb).
 */
export function describeSyncStoreContract(name: string, create: () => StoreUnderTest | Promise<StoreUnderTest>): void {
  async function withEvents(count: number): Promise<StoreUnderTest> {
    const t = await create();
    await t.createSession('a', meta);
    const captured = sampleCapturedEvents();
    await t.appendEvents(
      'a',
      Array.from({ length: count }, (_, i) => captured[i % captured.length]!),
    );
    return t;
  }

  describe(`SyncStore contract: ${name}`, () => {
    it('reads a sequence range in order, bounded by the limit and by what exists', async () => {
      const { store } = await withEvents(30);
      const events = await store.readEvents('a', 5, 20, 10);
      expect(events.map((e) => e.sequence)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
      expect(events.every((e) => e.sessionId === 'a')).toBe(true);
      expect((await store.readEvents('a', 28, 40, 10)).map((e) => e.sequence)).toEqual([28, 29, 30]);
      expect(await store.readEvents('nope', 1, 10, 10)).toEqual([]);
    });

    it('never moves ackedThrough backwards', async () => {
      const { store } = await withEvents(30);
      expect(await store.setAckedThrough('a', 20)).toBe(20);
      expect(await store.setAckedThrough('a', 7)).toBe(20);
      expect((await store.listPendingSessions())[0]).toMatchObject({ ackedThrough: 20 });
    });

    it('lists sessions with work: unacked events, or ended and not yet closed on the server', async () => {
      const t = await withEvents(30);
      expect(await t.store.listPendingSessions()).toEqual([
        { sessionId: 'a', eventCount: 30, ackedThrough: 0, ended: false, closedOnServer: false, meta },
      ]);
      await t.store.setAckedThrough('a', 30);
      expect(await t.store.listPendingSessions()).toEqual([]);
      await t.endSession('a', 123);
      expect(await t.store.listPendingSessions()).toMatchObject([
        { sessionId: 'a', ended: true, endTime: 123, closedOnServer: false },
      ]);
      await t.store.markClosedOnServer('a');
      expect(await t.store.listPendingSessions()).toEqual([]);
    });

    it('keeps one quarantine per session, until removed', async () => {
      const { store } = await withEvents(3);
      const q = { sessionId: 'a', firstSequence: 2, lastSequence: 2, code: 'forbidden' as const, reason: 'x', at: 1 };
      await store.addQuarantine(q);
      await store.addQuarantine({ ...q, firstSequence: 3, lastSequence: 3 });
      expect(await store.listQuarantine()).toEqual([{ ...q, firstSequence: 3, lastSequence: 3 }]);
      await store.removeQuarantine('a');
      expect(await store.listQuarantine()).toEqual([]);
    });

    it('keeps the sync meta', async () => {
      const { store } = await create();
      expect(await store.loadSyncMeta()).toEqual({});
      const saved = { lastSyncAt: 5, lastError: { code: 'connection', message: 'down', at: 4 } };
      await store.saveSyncMeta(saved);
      expect(await store.loadSyncMeta()).toEqual(saved);
    });

    it('stored events cannot be changed through what a read returned', async () => {
      const { store } = await withEvents(3);
      const [first] = await store.readEvents('a', 1, 1, 1);
      try {
        (first as { url: string }).url = 'https://changed.example';
      } catch {
        // A frozen row refusing the write is fine too.
      }
      expect((await store.readEvents('a', 1, 1, 1))[0]!.url).not.toBe('https://changed.example');
    });
  });
}
