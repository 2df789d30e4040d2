import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type PostgresCluster } from '../../../scripts/lib/postgres-cluster';
import { createDatabase, type OpenDatabase } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';

/**
 * One migrated database of each engine the job queue runs on, for tests that must pass on both: a
 * throwaway PostgreSQL cluster (several pools: several server instances) and an embedded PGlite (one
 * process: every "instance" shares its one connection).
 */
export interface JobEngine {
  name: 'postgres' | 'pglite';
  /** The first instance's database. */
  db(): OpenDatabase;
  /** Another instance's database: a new pool on PostgreSQL, the same PGlite. */
  another(): Promise<OpenDatabase>;
  /** Closes every connection and opens the database again, as a restarted server does. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A PostgreSQL engine; stop() in afterAll. */
export async function startPostgresEngine(): Promise<JobEngine> {
  const cluster: PostgresCluster = await startPostgres();
  const opened: OpenDatabase[] = [];
  const open = async () => {
    const db = await createDatabase({ databaseUrl: cluster.url, dataDir: cluster.dir, poolSize: 4 });
    opened.push(db);
    return db;
  };
  let first = await open();
  await migrateToLatest(first.db);
  return {
    name: 'postgres',
    db: () => first,
    another: open,
    async restart() {
      await Promise.all(opened.splice(0).map((o) => o.close()));
      first = await open();
    },
    async stop() {
      await Promise.allSettled(opened.map((o) => o.close()));
      await cluster.stop();
    },
  };
}

/** An embedded PGlite engine in a temp directory; stop() in afterAll. */
export async function startPgliteEngine(): Promise<JobEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'jobs-pglite-'));
  let current = await createDatabase({ dataDir: dir });
  await migrateToLatest(current.db);
  return {
    name: 'pglite',
    db: () => current,
    another: () => Promise.resolve(current),
    async restart() {
      await current.close();
      current = await createDatabase({ dataDir: dir });
    },
    async stop() {
      await current.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
