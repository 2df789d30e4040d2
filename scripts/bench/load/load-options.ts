import { parseArgs } from 'node:util';

/** What one load bench run does; see scripts/bench/README.md, "Load bench". */
export interface LoadOptions {
  /** Simulated workers, each with its own API key and session. */
  workers: number;
  /** Events each worker records and pushes. */
  eventsPerWorker: number;
  /** Events per batch (the engine sends what accumulated since its last push). */
  batchEvents: number;
  /** Mean pause between a worker's batches (a worker browsing, not a backlog drain), uniform 0..2×. */
  pauseMs: number;
  /** Share of workers on the HTTP twin instead of the WebSocket. */
  httpShare: number;
  /** Workers start within this window (a NAT office at 9:00: all at once). */
  rampMs: number;
  /** Server instances per run, in order: `1,2` runs one instance, then two on the same PostgreSQL. */
  instances: number[];
  seed: number;
  /** Each server writes a V8 CPU profile here when it stops (`npx tsx scripts/bench/profile-summary.ts DIR`). */
  profileServerDir: string | undefined;
  /** Each run is stopped after this long, finished or not (what it stored is still checked). */
  runTimeoutMs: number;
  deadlineMs: number;
}

const DEFAULTS: LoadOptions = {
  workers: 1_000,
  eventsPerWorker: 120,
  batchEvents: 10,
  pauseMs: 1_000,
  httpShare: 0.1,
  rampMs: 2_000,
  instances: [1, 2],
  seed: 1,
  profileServerDir: undefined,
  runTimeoutMs: 120_000,
  deadlineMs: 15 * 60_000,
};

export const LOAD_USAGE = `Usage: npx tsx scripts/bench/load.ts [options]   (or npm run bench:load -- [options])

  --workers N          simulated workers, each with its own key (default ${DEFAULTS.workers})
  --events N           events per worker (default ${DEFAULTS.eventsPerWorker})
  --batch N            events per batch (default ${DEFAULTS.batchEvents})
  --pause-ms N         mean pause between a worker's batches (default ${DEFAULTS.pauseMs})
  --http-share F       share of workers on the HTTP twin, 0..1 (default ${DEFAULTS.httpShare})
  --ramp-ms N          workers start within this window (default ${DEFAULTS.rampMs})
  --instances A,B      server instances per run (default ${DEFAULTS.instances.join(',')})
  --quick              100 workers, 30 events each, one and two instances
  --seed N             event generation and pauses (default ${DEFAULTS.seed})
  --profile-server D   each server writes a V8 CPU profile to directory D
  --help               this text`;

const whole = (raw: string | undefined, fallback: number, name: string, min: number, max: number): number => {
  const n = Number(raw ?? fallback);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return n;
};

/** Parses argv (without node and the script); throws with a readable message on a bad flag. */
export function parseLoadOptions(argv: string[]): LoadOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      workers: { type: 'string' },
      events: { type: 'string' },
      batch: { type: 'string' },
      'pause-ms': { type: 'string' },
      'http-share': { type: 'string' },
      'ramp-ms': { type: 'string' },
      instances: { type: 'string' },
      quick: { type: 'boolean' },
      seed: { type: 'string' },
      'profile-server': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const base = values.quick ? { ...DEFAULTS, workers: 100, eventsPerWorker: 30 } : DEFAULTS;
  const httpShare = Number(values['http-share'] ?? base.httpShare);
  if (!(httpShare >= 0 && httpShare <= 1))
    throw new Error(`--http-share must be from 0 to 1, got "${values['http-share']}"`);
  const instances = (values.instances ?? base.instances.join(','))
    .split(',')
    .map((s) => whole(s, 1, 'instances', 1, 4));
  return {
    ...base,
    workers: whole(values.workers, base.workers, 'workers', 1, 5_000),
    eventsPerWorker: whole(values.events, base.eventsPerWorker, 'events', 1, 10_000),
    batchEvents: whole(values.batch, base.batchEvents, 'batch', 1, 500),
    pauseMs: whole(values['pause-ms'], base.pauseMs, 'pause-ms', 0, 60_000),
    rampMs: whole(values['ramp-ms'], base.rampMs, 'ramp-ms', 0, 60_000),
    httpShare,
    instances,
    seed: whole(values.seed, base.seed, 'seed', 0, 2 ** 31),
    profileServerDir: values['profile-server'],
  };
}
