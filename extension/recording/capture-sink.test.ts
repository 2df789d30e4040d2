import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sampleCapturedEvents } from '@codesight/schema/testing';
import { AppDB } from '../db/app-db';
import { createCaptureSink } from './capture-sink';
import { startSession } from './session-lifecycle';

const db = new AppDB('capture-sink-test');
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(db.tables.map((t) => t.clear()));
});

describe('capture sink', () => {
  it('reports a quota failure, keeps nothing half-written, and clears the report once writes work again', async () => {
    await startSession(db, 's1', { userAgent: 'ua', maskingPolicy: { version: '1', rules: [] }, now: 1 });
    const reports: (string | null)[] = [];
    const sink = createCaptureSink(db, (m) => {
      reports.push(m);
      return Promise.resolve();
    });
    const envelope = {
      clientId: 'client-0001',
      sessionId: 's1',
      event: { ...sampleCapturedEvents()[0]!, timestamp: 2 },
    };

    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    const spy = vi.spyOn(db.events, 'bulkAdd').mockRejectedValueOnce(quota);
    const failed = await sink([envelope]);
    expect(failed).toEqual({
      ok: false,
      error: { code: 'storage_failed', message: 'QuotaExceededError: The quota has been exceeded.', refused: [] },
    });
    expect(reports).toEqual(['QuotaExceededError: The quota has been exceeded.']);
    expect(await db.deliveries.count()).toBe(0);
    expect((await db.sessions.get('s1'))?.eventCount).toBe(0);

    spy.mockRestore();
    const stored = await sink([envelope]);
    expect(stored).toEqual({ ok: true, value: { stored: ['client-0001'], refused: [] } });
    expect(reports.at(-1)).toBeNull();
    expect(await db.events.count()).toBe(1);
  });

  it('writes batches that arrive during a write together, and answers each caller for its own envelopes', async () => {
    await startSession(db, 's1', { userAgent: 'ua', maskingPolicy: { version: '1', rules: [] }, now: 1 });
    const sink = createCaptureSink(db, () => Promise.resolve());
    const batch = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        clientId: `page.${from + i}`,
        sessionId: i === 1 && from === 10 ? 'gone' : 's1',
        event: { ...sampleCapturedEvents()[0]!, timestamp: 2 + from + i },
      }));
    const transactions = vi.spyOn(db, 'transaction');
    const replies = await Promise.all([sink(batch(0, 2)), sink(batch(10, 3)), sink(batch(20, 1))]);
    // The first write starts alone; the two batches that came during it share the second transaction.
    expect(transactions).toHaveBeenCalledTimes(2);
    expect(replies).toEqual([
      { ok: true, value: { stored: ['page.0', 'page.1'], refused: [] } },
      {
        ok: true,
        value: { stored: ['page.10', 'page.12'], refused: [{ clientId: 'page.11', reason: 'no session gone' }] },
      },
      { ok: true, value: { stored: ['page.20'], refused: [] } },
    ]);
    const sequences = (await db.events.toArray()).map((e) => [e.timestamp, e.sequence]);
    expect(sequences).toEqual([
      [2, 1],
      [3, 2],
      [12, 3],
      [14, 4],
      [22, 5],
    ]);
  });
});
