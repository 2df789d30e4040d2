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
import { parseBenchOptions, USAGE } from './bench-options';
import { startBenchServer } from './bench-server';
import { storedExactly } from './bench-database';
import { formatResults } from './print-results';
import { runBench } from './run-bench';

const started = performance.now();
const log = (line: string) =>
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

/** Teardown steps, run last-registered first: the server before the database it uses. */
const teardown: (() => Promise<unknown>)[] = [];
let tearingDown: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  tearingDown ??= (async () => {
    for (const step of teardown.reverse())
      await step().catch((err: unknown) => log(`cleanup step failed: ${(err as Error).message}`));
  })();
  return tearingDown;
}

function abort(reason: string, code: number): void {
  log(reason);
  void cleanUp().finally(() => process.exit(code));
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const deadline = setTimeout(
    () => abort(`deadline of ${options.deadlineMs / 1000} s exceeded: stopping`, 3),
    options.deadlineMs,
  );
  process.once('SIGINT', () => abort('interrupted: stopping', 130));
  process.once('SIGTERM', () => abort('terminated: stopping', 143));
  try {
    log('starting a throwaway PostgreSQL 15 cluster');
    const cluster = await startPostgres({ database: 'bench' });
    teardown.push(() => cluster.stop());
    log('starting the sync server (child process) on it; it migrates the database');
    const server = await startBenchServer(cluster.url, { cpuProfileDir: options.profileServerDir });
    teardown.push(() => server.stop());
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    teardown.push(() => admin.end());
    // The server's own database layer, for the stage costs (storeBatch called directly); dataDir is
    // only used by the embedded engine, never with a DATABASE_URL.
    const open: OpenDatabase = await createDatabase({ databaseUrl: cluster.url, dataDir: join(tmpdir(), 'unused') });
    teardown.push(() => open.close());

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
    return storedExactly(results.drain) && results.windowSweep.concat(results.batchSweep).every(storedExactly) ? 0 : 1;
  } catch (err) {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    clearTimeout(deadline);
    await cleanUp();
  }
}

void main().then((code) => process.exit(code));
