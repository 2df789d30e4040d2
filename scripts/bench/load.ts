/**
 * `npx tsx scripts/bench/load.ts [--workers N] [--quick] ...`: a crowd of simulated workers (default
 * 1,000, each with its own API key) pushing realistic batches to the real server on a real PostgreSQL,
 * first one server instance, then two on the same database; prints what the servers held and used and
 * checks in SQL that every event was stored exactly once (scripts/bench/README.md, "Load bench"). Stops
 * by itself and removes what it started, also on Ctrl-C, on an error, and at its deadline.
 */
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createWorkerWithKey } from '../../sync-server/src/auth/api-keys';
import { createDatabase } from '../../sync-server/src/db/database';
import { migrateToLatest } from '../../sync-server/src/db/migrate';
import { startPostgres } from '../lib/postgres-cluster';
import { runBenchCommand } from './bench-command';
import { LOAD_USAGE, parseLoadOptions } from './load/load-options';
import { exactlyOnce, formatLoadResults } from './load/print-load';
import { runLoad, type LoadRunResult } from './load/run-load';

// Keys are created this many at a time: each is a small transaction.
const KEY_CONCURRENCY = 16;

runBenchCommand({
  parse: parseLoadOptions,
  usage: LOAD_USAGE,
  async run(options, { log, onCleanUp, cleanUp }) {
    const loadAtStart = loadavg()[0] ?? Number.NaN;
    log('starting a throwaway PostgreSQL 15 cluster');
    const cluster = await startPostgres({ database: 'load' });
    onCleanUp(() => cluster.stop());
    const open = await createDatabase({ databaseUrl: cluster.url, dataDir: join(tmpdir(), 'unused') });
    onCleanUp(() => open.close());
    await migrateToLatest(open.db);
    log(`creating ${options.workers} workers, each with its own API key`);
    const apiKeys: string[] = [];
    for (let i = 0; i < options.workers; i += KEY_CONCURRENCY) {
      const issued = await Promise.all(
        Array.from({ length: Math.min(KEY_CONCURRENCY, options.workers - i) }, (_, k) =>
          createWorkerWithKey(open.db, `load worker ${i + k}`),
        ),
      );
      apiKeys.push(...issued.map((k) => k.key));
    }
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    onCleanUp(() => admin.end());

    const runs: LoadRunResult[] = [];
    for (const instances of options.instances) {
      runs.push(await runLoad(options, instances, { apiKeys }, { databaseUrl: cluster.url, admin }, log));
    }
    await cleanUp();
    log('done; servers and cluster stopped');
    process.stdout.write(`${formatLoadResults(options, runs, loadAtStart)}\n`);
    // A run that lost or duplicated an event measured nothing: that is a failure, a slow one is not.
    return runs.every(exactlyOnce) ? 0 : 1;
  },
});
