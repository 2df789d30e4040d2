import { describe, expect, it } from 'vitest';
import { sampleCapturedEvents, sampleSession } from '@codesight/schema/fixtures';
import { MemorySyncStore } from './memory-store';

const meta = (() => {
  const s = sampleSession('x', 0);
  return { startTime: s.startTime, userAgent: s.userAgent, maskingPolicy: s.maskingPolicy };
})();

function storeWith(count: number) {
  const store = new MemorySyncStore();
  store.createSession('a', meta);
  const captured = sampleCapturedEvents();
  store.appendEvents('a', Array.from({ length: count }, (_, i) => captured[i % captured.length]!));
  return store;
}

describe('MemorySyncStore', () => {
  it('assigns sequences 1..N at write and reads ranges with a limit', async () => {
    const store = storeWith(30);
    const events = await store.readEvents('a', 5, 20, 10);
    expect(events.map((e) => e.sequence)).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(events.every((e) => e.sessionId === 'a')).toBe(true);
    expect((await store.readEvents('a', 28, 40, 10)).map((e) => e.sequence)).toEqual([28, 29, 30]);
    expect(await store.readEvents('nope', 1, 10, 10)).toEqual([]);
  });

  it('ackedThrough never moves backwards', async () => {
    const store = storeWith(30);
    expect(await store.setAckedThrough('a', 20)).toBe(20);
    expect(await store.setAckedThrough('a', 7)).toBe(20);
    expect(store.inspect('a').ackedThrough).toBe(20);
    expect(store.loweringAttempts).toBe(1);
  });

  it('lists sessions with work: unacked events, or ended and not yet closed on the server', async () => {
    const store = storeWith(30);
    expect((await store.listPendingSessions()).map((p) => [p.sessionId, p.eventCount, p.ackedThrough])).toEqual([['a', 30, 0]]);
    await store.setAckedThrough('a', 30);
    expect(await store.listPendingSessions()).toEqual([]);
    store.endSession('a', 123);
    expect(await store.listPendingSessions()).toMatchObject([{ sessionId: 'a', ended: true, endTime: 123, closedOnServer: false, meta }]);
    await store.markClosedOnServer('a');
    expect(await store.listPendingSessions()).toEqual([]);
  });

  it('keeps one quarantine per session and the sync meta', async () => {
    const store = storeWith(3);
    const q = { sessionId: 'a', firstSequence: 2, lastSequence: 2, code: 'forbidden' as const, reason: 'x', at: 1 };
    await store.addQuarantine(q);
    await store.addQuarantine({ ...q, firstSequence: 3, lastSequence: 3 });
    expect(await store.listQuarantine()).toEqual([{ ...q, firstSequence: 3, lastSequence: 3 }]);
    await store.removeQuarantine('a');
    expect(await store.listQuarantine()).toEqual([]);
    await store.saveSyncMeta({ lastSyncAt: 5, lastError: { code: 'connection', message: 'down', at: 4 } });
    expect(await store.loadSyncMeta()).toEqual({ lastSyncAt: 5, lastError: { code: 'connection', message: 'down', at: 4 } });
  });

  it('hands out copies: mutating a read event does not change the stored one', async () => {
    const store = storeWith(3);
    const [first] = await store.readEvents('a', 1, 1, 1);
    (first as { url: string }).url = 'https://changed.example';
    expect((await store.readEvents('a', 1, 1, 1))[0]!.url).not.toBe('https://changed.example');
  });
});
