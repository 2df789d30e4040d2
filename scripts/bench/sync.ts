/**
 * `npx tsx scripts/bench/sync.ts [--quick] [--events N] ...`: measures the sync path end to end on
 * loopback — a throwaway PostgreSQL, the real server in a child process, the extension's real engine
 * and WebSocket transport — and prints a goal table and the measurements behind it (README.md). Stops by
 * itself and removes what it started, also on Ctrl-C, on an error, and at its deadline.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type OpenDatabase } from '../../sync-server/src/db/database';
import { startPostgres } from '../lib/postgres-cluster';
import { runBenchCommand } from './bench-command';
import { parseBenchOptions, USAGE } from './bench-options';
import { startBenchServer } from './bench-server';
import { storedExactly } from './bench-database';
import { formatResults } from './print-results';
import { runBench } from './run-bench';

runBenchCommand({
  parse: parseBenchOptions,
  usage: USAGE,
  async run(options, { log, onCleanUp, cleanUp }) {
    log('starting a throwaway PostgreSQL 15 cluster');
    const cluster = await startPostgres({ database: 'bench' });
    onCleanUp(() => cluster.stop());
    log('starting the sync server (child process) on it; it migrates the database');
    const server = await startBenchServer(cluster.url, { cpuProfileDir: options.profileServerDir });
    onCleanUp(() => server.stop());
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    onCleanUp(() => admin.end());
    // The server's own database layer, for the stage costs (storeBatch called directly); dataDir is
    // only used by the embedded engine, never with a DATABASE_URL.
    const open: OpenDatabase = await createDatabase({ databaseUrl: cluster.url, dataDir: join(tmpdir(), 'unused') });
    onCleanUp(() => open.close());

    const results = await runBench(
      options,
      { databaseUrl: cluster.url, pgDataDir: join(cluster.dir, 'data'), server, admin, db: open.db },
      log,
    );
    await cleanUp();
    log('done; cluster stopped and removed');
    process.stdout.write(`${formatResults(results)}\n`);
    if (options.profileServerDir) log(`server CPU profile written to ${options.profileServerDir}`);
    // A bench that stored the wrong data measured nothing: that is a failure, a missed speed goal is not.
    return storedExactly(results.drain) &&
      storedExactly(results.wire) &&
      results.windowSweep.concat(results.batchSweep).every(storedExactly)
      ? 0
      : 1;
  },
});
