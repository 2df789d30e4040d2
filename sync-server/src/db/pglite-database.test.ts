import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ok, type BatchMessage, type RecordedEvent } from '@codesight/schema';
import { NO_MIGRATIONS, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import {
  abandonStaleSessions,
  countAll,
  endSession,
  listSessions,
  readSessionEvents,
  storeBatch,
  storeLegacyInteractions,
} from '../ingest';
import { createDatabase, type OpenDatabase } from './database';
import { createMigrator, migrateToLatest } from './migrate';

/** Every migration, in the order they must apply. */
const MIGRATION_NAMES = [
  '2026-11-28T0000-initial',
  '2026-11-28T0100-store-batch-function',
  '2026-12-02T1100-video-chunks',
  '2026-12-02T1300-credential-notify',
  '2026-12-02T1800-interactions-without-copies',
  '2026-12-03T0100-jobs',
  '2026-12-03T0200-admin-accounts',
  '2026-12-03T0300-record-stored-events',
  '2026-12-03T0400-console-indexes',
  '2026-12-03T0500-screenshot-analyses',
  '2026-12-03T0600-screenshot-thumbnails',
  '2026-12-03T0700-server-masking',
  '2026-12-03T0900-summary-per-distinct-url',
  '2026-12-03T1000-client-mask-counts',
  '2026-12-03T1100-jobs-fair-share',
  '2026-12-03T1200-summary-from-batch-aggregates',
];

// One PGlite per file: its WASM start costs 2.5-4.5 s.
let dir: string;
let open: OpenDatabase;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pglite-db-test-'));
  open = await createDatabase({ dataDir: dir });
}, 60_000);

afterAll(async () => {
  await open?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The batch carrying `events` (consecutive events of one session). */
function batchOf(events: RecordedEvent[]): BatchMessage {
  const first = events[0]!;
  return {
    type: 'batch',
    v: 1,
    batchId: `${first.sessionId}-${first.sequence}`,
    sessionId: first.sessionId,
    firstSequence: first.sequence,
    lastSequence: first.sequence + events.length - 1,
    events,
  };
}

describe('embedded PGlite database', () => {
  it('opens under dataDir/pglite and migrates; a second migrate applies nothing', async () => {
    expect(open.kind).toBe('pglite');
    const first = await migrateToLatest(open.db);
    expect(first.applied).toEqual(MIGRATION_NAMES);
    expect(await migrateToLatest(open.db)).toEqual({ applied: [] });
    await open.db
      .insertInto('workers')
      .values([
        { id: 'w1', name: 'Worker one' },
        { id: 'w2', name: 'Worker two' },
      ])
      .execute();
  });

  it('returns int8, timestamptz, jsonb and real with the same JS types as the pg pool', async () => {
    const row = await sql<{ big: unknown; at: unknown; doc: unknown; ratio: unknown }>`
      select 9007199254740991::int8 as big, now() as at, '{"a":[1,"x"]}'::jsonb as doc, 0.25::real as ratio`.execute(
      open.db,
    );
    expect(row.rows[0]).toEqual({
      big: 9007199254740991,
      at: expect.any(Date) as unknown,
      doc: { a: [1, 'x'] },
      ratio: 0.25,
    });
  });

  it('serializes concurrent transactions on the single connection', async () => {
    // Each transaction reads a counter and writes it back + 1 after a pause: interleaved on one
    // backend they would lose updates (or fail with "transaction already in progress").
    await sql`create table counter (n int not null)`.execute(open.db);
    await sql`insert into counter values (0)`.execute(open.db);
    await Promise.all(
      Array.from({ length: 20 }, () =>
        open.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ n: number }>`select n from counter`.execute(trx);
          // Yield to the event loop so the other transactions get their chance to interleave.
          await new Promise((r) => setImmediate(r));
          await sql`update counter set n = ${rows[0]!.n + 1}`.execute(trx);
        }),
      ),
    );
    const { rows } = await sql<{ n: number }>`select n from counter`.execute(open.db);
    expect(rows[0]!.n).toBe(20);
    await sql`drop table counter`.execute(open.db);
  });

  it('rolls a failed transaction back and keeps the connection usable', async () => {
    await expect(
      open.db.transaction().execute(async (trx) => {
        await trx.insertInto('workers').values({ id: 'w-rolled-back', name: 'x' }).execute();
        await sql`select 1 / 0`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    const rows = await open.db.selectFrom('workers').select('id').where('id', '=', 'w-rolled-back').execute();
    expect(rows).toEqual([]);
  });

  it('stores batches idempotently and advances the watermark over out-of-order batches', async () => {
    const events = sampleRecordedEvents('pg-lite-1', 7);
    expect(await storeBatch(open.db, 'w1', batchOf(events.slice(3, 6)))).toEqual(
      ok({
        inserted: 3,
        duplicates: 0,
        ackedThrough: 0,
      }),
    );
    expect(await storeBatch(open.db, 'w1', batchOf(events.slice(0, 3)))).toEqual(
      ok({
        inserted: 3,
        duplicates: 0,
        ackedThrough: 6,
      }),
    );
    expect(await storeBatch(open.db, 'w1', batchOf(events.slice(0, 6)))).toEqual(
      ok({
        inserted: 0,
        duplicates: 6,
        ackedThrough: 6,
      }),
    );
    expect(await storeBatch(open.db, 'w2', batchOf(events.slice(6)))).toEqual({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('another worker') as unknown },
    });
    expect(await readSessionEvents(open.db, 'pg-lite-1')).toEqual(events.slice(0, 6));
  });

  it('assigns legacy sequences under concurrent messages and closes the session', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        storeLegacyInteractions(open.db, 'w1', 'pg-lite-legacy', [
          { type: 'click', timestamp: 1_752_327_000_000 + i, selector: `#b${i}` },
        ]),
      ),
    );
    const sequences = results.flatMap((r) => (r.ok ? r.value.sequences : [])).sort((a, b) => a - b);
    expect(sequences).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await endSession(open.db, 'w1', 'pg-lite-legacy', Date.now())).toEqual(
      ok({
        status: 'complete',
        missing: 0,
        ackedThrough: 10,
      }),
    );
  });

  it('runs the read side and the abandon sweep', async () => {
    const page = await listSessions(open.db, { workerId: 'w1', limit: 1 });
    expect(page).toMatchObject({
      ok: true,
      value: { sessions: [{ worker_id: 'w1' }], nextCursor: expect.any(String) as unknown },
    });
    const rest = await listSessions(open.db, {
      workerId: 'w1',
      limit: 10,
      cursor: page.ok ? page.value.nextCursor! : '',
    });
    expect(rest.ok && rest.value.sessions).toHaveLength(1);
    expect(await countAll(open.db)).toMatchObject({ workers: 2, sessions: 2, interactions: 16 });
    await sql`update sessions set last_activity_at = now() - interval '1 hour' where id = 'pg-lite-1'`.execute(open.db);
    expect(await abandonStaleSessions(open.db, 10 * 60 * 1000)).toBe(1);
  });

  it('migrates down to nothing and up again', async () => {
    const migrator = createMigrator(open.db);
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    const tables = await open.db.introspection.getTables();
    expect(tables.map((t) => t.name)).not.toContain('sessions');
    expect((await migrateToLatest(open.db)).applied).toEqual(MIGRATION_NAMES);
  });
});
