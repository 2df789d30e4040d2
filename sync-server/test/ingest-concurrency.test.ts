import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../src/db/database';
import { getSession, storeBatch, storeLegacyInteractions } from '../src/ingest';
import { batchOf, sampleRecordedEvents, startTestDatabase, unwrap, type TestDatabase } from './testing/db-fixtures';

/**
 * Two server instances = two Kysely instances with separate pg pools on one database. Nothing in
 * process memory is shared, so only the database can make concurrent writes correct.
 */
let t: TestDatabase;
let a: OpenDatabase;
let b: OpenDatabase;
beforeAll(async () => {
  t = await startTestDatabase(['alice', 'bob']);
  [a, b] = await Promise.all([t.openAnother(6), t.openAnother(6)]);
});
afterAll(() => t?.stop());

async function storedSequences(sessionId: string): Promise<number[]> {
  const rows = await t.open.db
    .selectFrom('interactions')
    .select('sequence')
    .where('session_id', '=', sessionId)
    .orderBy('sequence')
    .execute();
  return rows.map((r) => r.sequence);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('two instances storing concurrently', () => {
  it('stores every event of a batch sent 24 times at once exactly once, creating the session once', async () => {
    const batch = batchOf(sampleRecordedEvents('cs_race', 300));
    const results = (await Promise.all(range(1, 24).map((i) => storeBatch(i % 2 ? a.db : b.db, 'alice', batch)))).map(
      unwrap,
    );

    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(300);
    for (const r of results) {
      expect(r.inserted + r.duplicates).toBe(300);
      expect(r.ackedThrough).toBe(300);
    }
    expect(await storedSequences('cs_race')).toEqual(range(1, 300));
    const session = await getSession(t.open.db, 'cs_race');
    expect(session).toMatchObject({ worker_id: 'alice', event_count: 300, acked_through: 300 });
    expect(Object.values(session!.counts).reduce((x, y) => x + y, 0)).toBe(300);
  });

  it('converges on overlapping and out-of-order batches from both instances', async () => {
    const events = sampleRecordedEvents('cs_overlap', 400);
    const batches = [
      batchOf(events.slice(300, 400)),
      batchOf(events.slice(150, 320)),
      batchOf(events.slice(0, 160)),
      batchOf(events.slice(100, 200)),
    ];
    const sends = range(0, 31).map((i) => storeBatch(i % 2 ? a.db : b.db, 'alice', batches[i % batches.length]!));
    const results = (await Promise.all(sends)).map(unwrap);

    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(400);
    expect(await storedSequences('cs_overlap')).toEqual(range(1, 400));
    const session = await getSession(t.open.db, 'cs_overlap');
    expect(session).toMatchObject({ event_count: 400, acked_through: 400 });
    // The per-type counts are rewritten from the locked row: a lost update would show here.
    expect(Object.values(session!.counts).reduce((x, y) => x + y, 0)).toBe(400);
    // The last store to commit saw everything; no ack ever claimed more than was stored.
    expect(Math.max(...results.map((r) => r.ackedThrough))).toBe(400);
  });

  it('creates many new sessions concurrently from both instances without losing a row', async () => {
    const sessions = range(1, 12).map((i) => `cs_new_${i}`);
    const sends = sessions.flatMap((id) => {
      const batch = batchOf(sampleRecordedEvents(id, 20));
      return [storeBatch(a.db, 'bob', batch), storeBatch(b.db, 'bob', batch), storeBatch(a.db, 'bob', batch)];
    });
    const results = (await Promise.all(sends)).map(unwrap);
    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(12 * 20);
    const { rows } = await sql<{ session_id: string; n: number; acked: number }>`
      select i.session_id, count(*)::int as n, s.acked_through as acked
      from interactions i join sessions s on s.id = i.session_id
      where i.session_id like 'cs_new_%' group by i.session_id, s.acked_through`.execute(t.open.db);
    expect(rows).toHaveLength(12);
    for (const row of rows) expect(row).toMatchObject({ n: 20, acked: 20 });
  });

  it('lets only the first worker own a session both try to create at once', async () => {
    const batch = batchOf(sampleRecordedEvents('cs_contested', 5));
    const [first, second] = await Promise.all([storeBatch(a.db, 'alice', batch), storeBatch(b.db, 'bob', batch)]);
    const outcomes = [first, second].map((r) => (r.ok ? 'stored' : r.error.code)).sort();
    expect(outcomes).toEqual(['forbidden', 'stored']);
    expect(await storedSequences('cs_contested')).toEqual(range(1, 5));
  });

  it('assigns legacy sequences without collisions across instances', async () => {
    const sends = range(1, 20).map((i) =>
      storeLegacyInteractions(i % 2 ? a.db : b.db, 'alice', 'cs_legacy_race', [
        { type: 'click', timestamp: 1_752_327_000_000 + i, selector: `#a${i}` },
        { type: 'scroll', timestamp: 1_752_327_000_000 + i },
        { type: 'input', timestamp: 1_752_327_000_000 + i, text: `v${i}` },
      ]),
    );
    const results = (await Promise.all(sends)).map(unwrap);
    const assigned = results.flatMap((r) => r.sequences).sort((x, y) => x - y);
    expect(assigned).toEqual(range(1, 60));
    for (const r of results) {
      expect(r).toMatchObject({ stored: 3, duplicates: 0 });
      // One message's interactions get consecutive sequences, in order.
      expect(r.sequences).toEqual(range(r.sequences[0]!, r.sequences[0]! + 2));
    }
    expect(await getSession(t.open.db, 'cs_legacy_race')).toMatchObject({ event_count: 60, acked_through: 60 });
  });
});
