import { NO_MIGRATIONS, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { createDatabase, type OpenDatabase } from '../src/db/database';
import { createMigrator, migrateToLatest } from '../src/db/migrate';

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

let cluster: PostgresCluster;
const opened: OpenDatabase[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await Promise.allSettled(opened.map((o) => o.close()));
  await cluster?.stop();
});

async function open(url: string): Promise<OpenDatabase> {
  const db = await createDatabase({ databaseUrl: url, dataDir: cluster.dir, poolSize: 3 });
  opened.push(db);
  return db;
}

describe('migrations on PostgreSQL 15', () => {
  it('creates every table with its indexes and constraints, once', async () => {
    const { db, kind } = await open(cluster.url);
    expect(kind).toBe('postgres');
    expect(await migrateToLatest(db)).toEqual({
      applied: MIGRATION_NAMES,
    });
    expect(await migrateToLatest(db)).toEqual({ applied: [] });

    const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual([
      'admin_accounts',
      'admin_sessions',
      'api_keys',
      'audio_chunks',
      'interactions',
      'interactions_flat',
      'jobs',
      'screenshot_analyses',
      'screenshot_thumbnails',
      'screenshots',
      'server_masks',
      'session_archives',
      'sessions',
      'uploads',
      'video_chunks',
      'workers',
    ]);

    const { rows } = await sql<{
      indexname: string;
    }>`select indexname from pg_indexes where schemaname = 'public' order by indexname`.execute(db);
    expect(rows.map((r) => r.indexname)).toEqual(
      expect.arrayContaining([
        'interactions_session_sequence_key',
        'interactions_type_idx',
        'sessions_worker_created_idx',
        'sessions_status_activity_idx',
        'screenshots_session_order_idx',
        'audio_chunks_session_chunk_key',
        'video_chunks_session_chunk_key',
        'video_chunks_blob_key_idx',
        'api_keys_key_hash_key',
      ]),
    );

    await db.insertInto('workers').values({ id: 'w', name: 'W' }).execute();
    await expect(
      db
        .insertInto('sessions')
        .values({ id: 's', worker_id: 'w', start_time: new Date(), status: 'bogus' as 'active' })
        .execute(),
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.insertInto('sessions').values({ id: 's', worker_id: 'nobody', start_time: new Date() }).execute(),
    ).rejects.toThrow(/foreign key/);
  });

  it('lets two instances migrate a fresh database at the same time', async () => {
    const url = await cluster.createDatabase('race');
    const [a, b] = await Promise.all([open(url), open(url)]);
    const results = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
    expect(results.flatMap((r) => r.applied)).toEqual(MIGRATION_NAMES);
  });

  it('migrates down to an empty schema and up again', async () => {
    const url = await cluster.createDatabase('updown');
    const { db } = await open(url);
    await migrateToLatest(db);
    const down = await createMigrator(db).migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect((await db.introspection.getTables()).map((t) => t.name)).toEqual([]);
    expect((await migrateToLatest(db)).applied).toEqual(MIGRATION_NAMES);
  });

  it('adds video chunks and screenshot viewports to a database that already holds screenshots', async () => {
    const url = await cluster.createDatabase('upgrade');
    const { db } = await open(url);
    const migrator = createMigrator(db);
    expect((await migrator.migrateTo('2026-11-28T0100-store-batch-function')).error).toBeUndefined();
    await sql`insert into workers (id, name) values ('w', 'W')`.execute(db);
    await sql`insert into sessions (id, worker_id, start_time) values ('s', 'w', now())`.execute(db);
    await sql`insert into screenshots (id, session_id, timestamp, blob_key, sha256, bytes, mime)
      values ('old', 's', now(), 'k', 'h', 1, 'image/png')`.execute(db);

    expect(await migrateToLatest(db)).toEqual({ applied: MIGRATION_NAMES.slice(2) });
    const old = await db.selectFrom('screenshots').selectAll().where('id', '=', 'old').executeTakeFirstOrThrow();
    expect(old).toMatchObject({ viewport_width: null, viewport_height: null, device_pixel_ratio: null });
    // A ratio such as 1.1 reads back exactly (double precision, not real).
    await db.updateTable('screenshots').set({ device_pixel_ratio: 1.1 }).where('id', '=', 'old').execute();
    expect(
      (await db.selectFrom('screenshots').select('device_pixel_ratio').executeTakeFirstOrThrow()).device_pixel_ratio,
    ).toBe(1.1);
    const chunk = {
      id: 'v0',
      session_id: 's',
      chunk_index: 0,
      start_time: new Date(),
      duration_ms: 1000,
      mime: 'video/webm',
      blob_key: 'k',
      sha256: 'h',
      bytes: 1,
    };
    await db.insertInto('video_chunks').values(chunk).execute();
    await expect(
      db
        .insertInto('video_chunks')
        .values({ ...chunk, id: 'v0b' })
        .execute(),
    ).rejects.toThrow(/video_chunks_session_chunk_key/);
    // Deleting the session deletes its video chunks.
    await db.deleteFrom('sessions').where('id', '=', 's').execute();
    expect(await db.selectFrom('video_chunks').selectAll().execute()).toEqual([]);

    // Down again: the table and columns go, the old index comes back.
    expect((await migrator.migrateTo('2026-11-28T0100-store-batch-function')).error).toBeUndefined();
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    expect(tables).not.toContain('video_chunks');
    const { rows } = await sql<{ indexname: string }>`select indexname from pg_indexes
      where tablename = 'screenshots' order by indexname`.execute(db);
    expect(rows.map((r) => r.indexname)).toContain('screenshots_session_time_idx');
    expect(rows.map((r) => r.indexname)).not.toContain('screenshots_session_order_idx');
  });

  it('stops storing copies of the event in columns of its own, and derives them in interactions_flat for old and new rows', async () => {
    const url = await cluster.createDatabase('flat');
    const { db } = await open(url);
    const migrator = createMigrator(db);
    expect((await migrator.migrateTo('2026-12-02T1300-credential-notify')).error).toBeUndefined();
    await sql`insert into workers (id, name) values ('w', 'W')`.execute(db);
    await sql`insert into sessions (id, worker_id, start_time) values ('s', 'w', now())`.execute(db);
    const click = {
      type: 'click',
      sequence: 1,
      timestamp: 5,
      url: 'https://shop.example/p',
      coordinates: { x: 1, y: 2 },
      modifiers: { alt: false },
      context: { heading: 'Mugs' },
      elementAnalysis: { isInteractive: true },
      target: { tag: 'button', selectors: { css: '#buy', xpath: '//button' } },
    };
    const legacy = {
      type: 'click',
      timestamp: 6,
      selectors: ['#a'],
      coordinates: { x: 3, y: 4 },
      text: 'Buy',
      extra: 1,
    };
    // Rows as the old columns held them: the batch row written by the old store_batch_events itself.
    await sql`select * from store_batch_events('s', 'w', ${JSON.stringify([click])}::jsonb, '{}'::jsonb,
      null, null, null, 100, 100)`.execute(db);
    await sql`insert into interactions (session_id, sequence, type, source, timestamp, timestamp_ms, selectors,
      coordinates, target, data) values ('s', 2, 'click', 'legacy', now(), 6, '["#a"]', '{"x":3,"y":4}',
      '{"text":"Buy","extra":1}', ${JSON.stringify(legacy)}::jsonb)`.execute(db);
    const parts = sql`selectors, coordinates, modifiers, context, element_analysis, target`;
    const before = await sql<Record<string, unknown>>`select ${parts} from interactions order by sequence`.execute(db);

    // Later migrations apply with it.
    expect((await migrateToLatest(db)).applied).toEqual(
      MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('2026-12-02T1800-interactions-without-copies')),
    );
    const columns = (await db.introspection.getTables()).find((t) => t.name === 'interactions')!.columns;
    expect(columns.map((c) => c.name)).not.toEqual(expect.arrayContaining(['selectors']));
    expect(columns.map((c) => c.name)).toEqual(expect.arrayContaining(['selector', 'data', 'url']));
    const flat = await sql<Record<string, unknown>>`select ${parts} from interactions_flat order by sequence`.execute(
      db,
    );
    expect(flat.rows).toEqual(before.rows);
    expect(flat.rows[0]).toMatchObject({ selectors: { css: '#buy', xpath: '//button' }, target: click.target });
    expect(flat.rows[1]).toMatchObject({ selectors: ['#a'], target: { text: 'Buy', extra: 1 }, context: {} });

    // The new function stores the next batch without the copies; the view shows its parts the same way.
    await sql`select * from store_batch_events('s', 'w', ${JSON.stringify([{ ...click, sequence: 3 }])}::jsonb,
      '{}'::jsonb, null, null, null, 100, 100)`.execute(db);
    const third = await sql<Record<string, unknown>>`select ${parts} from interactions_flat where sequence = 3`.execute(
      db,
    );
    expect(third.rows).toEqual([before.rows[0]]);

    // Down: the columns come back filled from data, and the old function writes them again.
    expect((await migrator.migrateTo('2026-12-02T1300-credential-notify')).error).toBeUndefined();
    const restored = await sql<Record<string, unknown>>`select ${parts} from interactions order by sequence`.execute(
      db,
    );
    expect(restored.rows).toEqual([before.rows[0], before.rows[1], before.rows[0]]);
  });

  it('names the failing migration in one clear error', async () => {
    const url = await cluster.createDatabase('broken');
    const { db } = await open(url);
    // A table the initial migration wants to create already exists.
    await sql`create table sessions (x int)`.execute(db);
    await expect(migrateToLatest(db)).rejects.toThrow(/^migration 2026-11-28T0000-initial failed: .*already exists/);
    // The whole run was one transaction: nothing of it stayed.
    expect((await db.introspection.getTables()).map((t) => t.name)).toEqual(['sessions']);
  });

  it('fails fast with a clear error when the server is unreachable', async () => {
    const { db } = await open(`postgres://postgres@127.0.0.1:1/none`);
    await expect(migrateToLatest(db)).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});
