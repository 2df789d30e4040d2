import { parseArgs } from 'node:util';

/** What one bench run does; see README.md for the meaning of each flag. */
export interface BenchOptions {
  /** Events in the offline backlog drained end to end and COPYed. */
  events: number;
  /** Sessions the backlog is spread over (events / sessions each). */
  sessions: number;
  /** Events per run of the window and batch-size sweeps (0: no sweeps). */
  sweepEvents: number;
  windows: number[];
  batchSizes: number[];
  /** Runs per sweep point; the fastest is kept (a short run is easily slowed by a checkpoint or autovacuum). */
  sweepRepeats: number;
  /** Small batches timed for the ack latency. */
  latencyBatches: number;
  /** Events of the realistic session the compression ratios are measured on. */
  compressionEvents: number;
  seed: number;
  /** Write a V8 CPU profile of the server process here. */
  profileServerDir: string | undefined;
  /** The whole bench is aborted (and cleaned up) after this long. */
  deadlineMs: number;
}

const DEFAULTS: BenchOptions = {
  events: 100_000,
  sessions: 10,
  // 20k events per sweep run: long enough for a steady rate (hundreds of ms), short enough for ~10 runs.
  sweepEvents: 20_000,
  windows: [1, 2, 4, 8, 16],
  batchSizes: [100, 250, 500, 1000, 2000],
  sweepRepeats: 2,
  latencyBatches: 2000,
  // 20k realistic events: ~40 batches at the default limits, enough for a stable ratio.
  compressionEvents: 20_000,
  seed: 1,
  profileServerDir: undefined,
  // Far above a default run (~2 min here), well below anything that looks like a hang.
  deadlineMs: 10 * 60_000,
};

/** `--quick`: the same measurements on a tenth of the data (~20 s here). */
const QUICK: Partial<BenchOptions> = {
  events: 10_000,
  sessions: 5,
  sweepEvents: 5_000,
  sweepRepeats: 1,
  latencyBatches: 500,
  compressionEvents: 10_000,
};

/** The `--help` text. */
export const USAGE = `Usage: npx tsx scripts/bench/sync.ts [options]

  --events N            events in the offline backlog (default ${DEFAULTS.events})
  --sessions N          sessions the backlog is spread over (default ${DEFAULTS.sessions})
  --quick               ${QUICK.events} events, smaller sweeps and fewer latency samples
  --sweep-events N      events per window / batch-size sweep run, 0 to skip sweeps and stage costs (default ${DEFAULTS.sweepEvents})
  --windows A,B,...     engine windows to sweep (default ${DEFAULTS.windows.join(',')})
  --batch-sizes A,B,... batch sizes to sweep (default ${DEFAULTS.batchSizes.join(',')})
  --sweep-repeats N     runs per sweep point, the fastest kept (default ${DEFAULTS.sweepRepeats})
  --latency-batches N   small batches timed for ack latency (default ${DEFAULTS.latencyBatches})
  --seed N              seed of the generated sessions (default ${DEFAULTS.seed})
  --profile-server DIR  write a V8 CPU profile of the server process to DIR
  --help                this text`;

/** A whole-number flag's value, at least `min`; throws the message a bad flag prints. */
export function positiveInt(name: string, value: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}

function intList(name: string, value: string): number[] {
  return value.split(',').map((item) => positiveInt(name, item.trim()));
}

/** Parses argv (without node and the script); throws with a readable message on a bad flag. */
export function parseBenchOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      events: { type: 'string' },
      sessions: { type: 'string' },
      quick: { type: 'boolean' },
      'sweep-events': { type: 'string' },
      windows: { type: 'string' },
      'batch-sizes': { type: 'string' },
      'sweep-repeats': { type: 'string' },
      'latency-batches': { type: 'string' },
      seed: { type: 'string' },
      'profile-server': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const options: BenchOptions = { ...DEFAULTS, ...(values.quick ? QUICK : {}) };
  if (values.events !== undefined) options.events = positiveInt('events', values.events);
  if (values.sessions !== undefined) options.sessions = positiveInt('sessions', values.sessions);
  if (values['sweep-events'] !== undefined)
    options.sweepEvents = positiveInt('sweep-events', values['sweep-events'], 0);
  if (values.windows !== undefined) options.windows = intList('windows', values.windows);
  if (values['batch-sizes'] !== undefined) options.batchSizes = intList('batch-sizes', values['batch-sizes']);
  if (values['sweep-repeats'] !== undefined)
    options.sweepRepeats = positiveInt('sweep-repeats', values['sweep-repeats']);
  if (values['latency-batches'] !== undefined)
    options.latencyBatches = positiveInt('latency-batches', values['latency-batches']);
  if (values.seed !== undefined) options.seed = positiveInt('seed', values.seed, 0);
  options.profileServerDir = values['profile-server'];
  if (options.sessions > options.events) throw new Error('--sessions must not exceed --events');
  options.compressionEvents = Math.min(options.compressionEvents, Math.max(options.events, 1000));
  return options;
}
