/**
 * `npx tsx scripts/bench/embedded-memory.ts [--events N] [--idle-seconds S] [--no-postgres]`: the
 * sync server's memory on its embedded PGlite (a first start on a new data directory, then a restart on
 * it) and on a throwaway PostgreSQL: RSS after start, after an idle pause, at its peak while storing N
 * events over HTTP, after storing and after another pause; printed as Markdown (README.md, "Embedded
 * database memory"). Stops by itself and removes what it started, also on Ctrl-C, an error or its
 * deadline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../lib/postgres-cluster';
import { runBenchCommand } from './bench-command';
import { clusterPss, type MemoryServer } from './embedded-memory-process';
import { formatMemoryRuns } from './embedded-memory-report';
import { runMemoryServer, type MemoryRun } from './embedded-memory-run';

interface EmbeddedMemoryOptions {
  events: number;
  idleSeconds: number;
  postgres: boolean;
  deadlineMs: number;
}

const DEFAULTS: EmbeddedMemoryOptions = {
  // 20k events: four 5000-event sessions, ~40 batches; a few seconds of writing on PGlite.
  events: 20_000,
  // Long enough for start-up garbage to be collected if anything is going to collect it.
  idleSeconds: 10,
  postgres: true,
  // A default run takes ~1.5 min here; three times that is a hang.
  deadlineMs: 5 * 60_000,
};

/** Above this many events a run is no longer a quick measurement (and the deadline would stop it). */
const MAX_EVENTS = 200_000;
const MAX_IDLE_SECONDS = 60;

const USAGE = `Usage: npx tsx scripts/bench/embedded-memory.ts [options]

  --events N          events stored per run, 1..${MAX_EVENTS} (default ${DEFAULTS.events})
  --idle-seconds S    pause after start and after storing, 0..${MAX_IDLE_SECONDS} (default ${DEFAULTS.idleSeconds})
  --no-postgres       PGlite runs only (no throwaway PostgreSQL cluster)
  --help              this text`;

function boundedInt(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be a whole number in ${min}..${max}, got "${value}"`);
  return n;
}

function parseOptions(argv: string[]): EmbeddedMemoryOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      events: { type: 'string' },
      'idle-seconds': { type: 'string' },
      'no-postgres': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  return {
    ...DEFAULTS,
    events: boundedInt('events', values.events, DEFAULTS.events, 1, MAX_EVENTS),
    idleSeconds: boundedInt('idle-seconds', values['idle-seconds'], DEFAULTS.idleSeconds, 0, MAX_IDLE_SECONDS),
    postgres: !values['no-postgres'],
  };
}

runBenchCommand({
  parse: parseOptions,
  usage: USAGE,
  async run(options, { log, onCleanUp, cleanUp }) {
    const track = (server: MemoryServer) => onCleanUp(() => server.stop());
    const common = { events: options.events, idleSeconds: options.idleSeconds };
    const runs: MemoryRun[] = [];

    const pgliteDir = await mkdtemp(join(tmpdir(), 'embedded-memory-pglite-'));
    onCleanUp(() => rm(pgliteDir, { recursive: true, force: true }));
    const pglite = { ...common, dataDir: pgliteDir };
    runs.push(
      await runMemoryServer(
        { ...pglite, label: 'PGlite, new data directory', sessionPrefix: 'first', seed: 1 },
        track,
        log,
      ),
    );
    runs.push(
      await runMemoryServer(
        { ...pglite, label: 'PGlite, restart on that directory', sessionPrefix: 'restart', seed: 2 },
        track,
        log,
      ),
    );

    if (options.postgres) {
      log('starting a throwaway PostgreSQL 15 cluster');
      const cluster = await startPostgres({ database: 'bench' });
      onCleanUp(() => cluster.stop());
      // The fs blob store wants a directory; the database is the cluster.
      const blobDir = await mkdtemp(join(tmpdir(), 'embedded-memory-blobs-'));
      onCleanUp(() => rm(blobDir, { recursive: true, force: true }));
      runs.push(
        await runMemoryServer(
          {
            ...common,
            label: 'PostgreSQL 15 (server process only)',
            dataDir: blobDir,
            databaseUrl: cluster.url,
            sessionPrefix: 'postgres',
            seed: 3,
            clusterPss: () => clusterPss(join(cluster.dir, 'data')),
          },
          track,
          log,
        ),
      );
    }

    await cleanUp();
    log('done; servers stopped, directories removed');
    process.stdout.write(`${formatMemoryRuns(runs, options.idleSeconds)}\n`);
    return 0;
  },
});
