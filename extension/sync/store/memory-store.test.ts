import { expect, it } from 'vitest';
import { sampleCapturedEvents, sampleSession } from '@codesight/schema/testing';
import { MemorySyncStore } from './memory-store';
import { describeSyncStoreContract } from '../testing/store-contract';

describeSyncStoreContract('memory', () => {
  const store = new MemorySyncStore();
  return {
    store,
    createSession: (id, meta) => Promise.resolve(store.createSession(id, meta)),
    appendEvents: (id, events) => Promise.resolve(void store.appendEvents(id, events)),
    endSession: (id, endTime) => Promise.resolve(store.endSession(id, endTime)),
  };
});

it('counts attempts to lower ackedThrough, and simulates a lost row', async () => {
  const store = new MemorySyncStore();
  const s = sampleSession('a', 0);
  store.createSession('a', { startTime: s.startTime, userAgent: s.userAgent, maskingPolicy: s.maskingPolicy });
  store.appendEvents('a', sampleCapturedEvents().slice(0, 5));
  await store.setAckedThrough('a', 4);
  await store.setAckedThrough('a', 2);
  expect(store.loweringAttempts).toBe(1);
  store.loseEvent('a', 3);
  expect((await store.readEvents('a', 1, 5, 10)).map((e) => e.sequence)).toEqual([1, 2, 4, 5]);
});
