import { systemClock } from '@codesight/schema';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { createDatabase, type OpenDatabase } from '../src/db/database';
import { MIGRATION_LOCK_KEY, migrateOnce } from '../src/db/migrate-once';
import { createMigrator } from '../src/db/migrate';

let cluster: PostgresCluster;
const opened: OpenDatabase[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await Promise.allSettled(opened.map((o) => o.close()));
  await cluster?.stop();
});

/** One "instance": its own pool on `url`, as each server process has. */
async function instance(url: string): Promise<OpenDatabase> {
  const db = await createDatabase({ databaseUrl: url, dataDir: cluster.dir, poolSize: 3 });
  opened.push(db);
  return db;
}

/** A session holding the migration lock, as an instance in the middle of its run would. */
async function holdLock(url: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  return {
    async release() {
      await client.query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await client.end();
    },
  };
}

async function migrationLockHolders(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from pg_locks where locktype = 'advisory' and granted`,
    );
    return Number(rows[0]?.n);
  } finally {
    await client.end();
  }
}

describe('migrateOnce on PostgreSQL', () => {
  it('of instances starting together, exactly one applies the migrations; the others wait, then apply nothing', async () => {
    const url = await cluster.createDatabase('together');
    const instances = await Promise.all([instance(url), instance(url), instance(url)]);
    // Held while all three start, so each of them finds the lock taken and must wait.
    const blocker = await holdLock(url);
    const waiting: number[] = [];
    const runs = instances.map((open, i) =>
      migrateOnce(open.db, open.kind, { clock: systemClock, onWaiting: () => waiting.push(i) }),
    );
    await expect.poll(() => waiting.length, { timeout: 10_000 }).toBe(3);
    await blocker.release();
    const results = await Promise.all(runs);

    const all = (await createMigrator(instances[0].db).getMigrations()).map((m) => m.name);
    const appliedBy = results.filter((r) => r.applied.length > 0);
    expect(appliedBy).toHaveLength(1);
    expect(appliedBy[0]!.applied).toEqual(all);
    expect(results.filter((r) => r.applied.length === 0)).toHaveLength(2);
    for (const r of results) expect(r.waitedMs).toBeGreaterThanOrEqual(0);
    // Every run released its lock (no session keeps it after returning its connection to the pool).
    expect(await migrationLockHolders(url)).toBe(0);
    const executed = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(instances[1].db);
    expect(executed.rows[0]?.n).toBe(all.length);
  });

  it('a later start with nothing to apply takes the free lock and applies nothing', async () => {
    const url = await cluster.createDatabase('later');
    const first = await instance(url);
    expect((await migrateOnce(first.db, first.kind, { clock: systemClock })).applied.length).toBeGreaterThan(0);
    let waited = false;
    const second = await instance(url);
    const again = await migrateOnce(second.db, second.kind, { clock: systemClock, onWaiting: () => (waited = true) });
    expect(again.applied).toEqual([]);
    expect(waited).toBe(false);
  });

  it('gives up after lockTimeoutMs when another run holds the lock, saying so, and leaves its connection clean', async () => {
    const url = await cluster.createDatabase('stuck');
    const blocker = await holdLock(url);
    const open = await instance(url);
    try {
      await expect(migrateOnce(open.db, open.kind, { clock: systemClock, lockTimeoutMs: 300 })).rejects.toThrow(
        /held the migration lock for more than 300 ms/,
      );
      // The pooled connection went back without the short lock_timeout.
      const timeouts = await Promise.all(
        [0, 1, 2].map(() => sql<{ t: string }>`select current_setting('lock_timeout') as t`.execute(open.db)),
      );
      for (const t of timeouts) expect(t.rows[0]?.t).toBe('0');
    } finally {
      await blocker.release();
    }
    expect((await migrateOnce(open.db, open.kind, { clock: systemClock })).applied.length).toBeGreaterThan(0);
  });
});
