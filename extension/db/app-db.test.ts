import 'fake-indexeddb/auto';
import { Dexie } from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { storedSequences } from '../recording/store-captured';
import { AppDB, deliveriesFromReceipts } from './app-db';

const NAME = 'app-db-upgrade-test';
afterEach(() => Dexie.delete(NAME));

describe('AppDB v5 upgrade', () => {
  it('turns per-event receipts into delivery rows, so a resend after the update is still found', async () => {
    // The database as version 4 left it: one receipt per event.
    const old = new Dexie(NAME);
    old.version(4).stores({ receipts: 'clientId, sessionId', sessions: 'id' });
    await old.table('receipts').bulkAdd([
      { clientId: 'uuid-b-2', sessionId: 'b', sequence: 2 },
      { clientId: 'uuid-a-1', sessionId: 'a', sequence: 1 },
      { clientId: 'uuid-a-2', sessionId: 'a', sequence: 2 },
      { clientId: 'uuid-b-1', sessionId: 'b', sequence: 1 },
      // A gap (pruned or never written) starts a new run: ids map to firstSequence + index.
      { clientId: 'uuid-a-5', sessionId: 'a', sequence: 5 },
      // So does another source.
      { clientId: 'page.6', sessionId: 'a', sequence: 6 },
    ]);
    old.close();

    const db = new AppDB(NAME);
    const rows = await db.deliveries.orderBy('id').toArray();
    expect(rows).toEqual([
      { id: 'a:1', sessionId: 'a', source: '', clientIds: ['uuid-a-1', 'uuid-a-2'], firstSequence: 1 },
      { id: 'a:5', sessionId: 'a', source: '', clientIds: ['uuid-a-5'], firstSequence: 5 },
      { id: 'a:6', sessionId: 'a', source: 'page', clientIds: ['page.6'], firstSequence: 6 },
      { id: 'b:1', sessionId: 'b', source: '', clientIds: ['uuid-b-1', 'uuid-b-2'], firstSequence: 1 },
    ]);
    expect(db.tables.map((t) => t.name)).not.toContain('receipts');
    const found = await storedSequences(db, ['uuid-b-2', 'page.6', 'uuid-a-3']);
    expect(Object.fromEntries(found)).toEqual({ 'uuid-b-2': 2, 'page.6': 6 });
    db.close();
  });

  it('caps a migrated run at 1,000 ids', () => {
    const receipts = Array.from({ length: 2_500 }, (_, i) => ({ clientId: `c${i}`, sessionId: 's', sequence: i + 1 }));
    const rows = deliveriesFromReceipts(receipts);
    expect(rows.map((r) => [r.firstSequence, r.clientIds.length])).toEqual([
      [1, 1_000],
      [1_001, 1_000],
      [2_001, 500],
    ]);
  });
});
