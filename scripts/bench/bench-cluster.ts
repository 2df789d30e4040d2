import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ensureDevWorker } from '../../sync-server/src/auth/api-keys';
import { createDatabase, type OpenDatabase } from '../../sync-server/src/db/database';
import { migrateToLatest } from '../../sync-server/src/db/migrate';
import { startPostgres } from '../lib/postgres-cluster';
import type { BenchContext } from './bench-command';
import { postgresCpuMs } from './cpu-usage';

/** A migrated throwaway PostgreSQL for a bench that calls the server's database code in-process. */
export interface BenchCluster {
  /** The server's own database layer on it (the dev worker exists). */
  open: OpenDatabase;
  /** A plain connection, open until clean-up: an exited backend's CPU would no longer be counted. */
  client: pg.Client;
  /** CPU ms the cluster has used so far, all its processes; throws when it cannot be read. */
  cpuMs: () => Promise<number>;
}

/** Starts the cluster, migrates it and adds the dev worker; everything is stopped by the bench's clean-up. */
export async function startBenchCluster({
  log,
  onCleanUp,
}: Pick<BenchContext, 'log' | 'onCleanUp'>): Promise<BenchCluster> {
  log('starting a throwaway PostgreSQL 15 cluster');
  const cluster = await startPostgres({ database: 'bench' });
  onCleanUp(() => cluster.stop());
  // dataDir is only used by the embedded engine, never with a database URL.
  const open = await createDatabase({ databaseUrl: cluster.url, dataDir: join(tmpdir(), 'unused') });
  onCleanUp(() => open.close());
  await migrateToLatest(open.db);
  await ensureDevWorker(open.db);
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  onCleanUp(() => client.end());
  const dataDir = join(cluster.dir, 'data');
  return {
    open,
    client,
    cpuMs: async () => {
      const ms = await postgresCpuMs(dataDir);
      if (ms === undefined) throw new Error('cannot read PostgreSQL CPU time');
      return ms;
    },
  };
}
