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
    expect(await db.receipts.count()).toBe(0);
    expect((await db.sessions.get('s1'))?.eventCount).toBe(0);

    spy.mockRestore();
    const stored = await sink([envelope]);
    expect(stored).toEqual({ ok: true, value: { stored: ['client-0001'], refused: [] } });
    expect(reports.at(-1)).toBeNull();
    expect(await db.events.count()).toBe(1);
  });
});
