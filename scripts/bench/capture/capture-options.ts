import { parseArgs } from 'node:util';

/** What one capture bench run does; see README.md, "Capture bench". */
export interface CaptureBenchOptions {
  clicks: number;
  scrolls: number;
  /** Rounds of (page × mode); modes alternate within each round so load changes hit them alike. */
  rounds: number;
  /** Events written through the extension's pipeline and, for comparison, raw into IndexedDB; 0 skips both. */
  events: number;
  /** Profile the extension's content script on both pages (an unminified build) and print it by function. */
  profile: boolean;
  /** Where to also save the raw .cpuprofile files of --profile. */
  profileDir?: string;
  seed: number;
  deadlineMs: number;
}

/** The `--help` text. */
export const USAGE = `Usage: npx tsx scripts/bench/capture.ts [options]   (or npm run bench:capture -- [options])

  --clicks N     clicks per page and mode (default 120)
  --scrolls N    wheel scrolls per page and mode (default 40)
  --rounds N     rounds of every page × mode, interleaved (default 1)
  --events N     events for the IndexedDB throughput and the service worker's memory (default 100000; 0 skips)
  --quick        30 clicks, 10 scrolls, 10000 events
  --profile      also a CPU profile of the content script per page (builds an unminified copy)
  --profile-dir D  --profile, and save the raw profiles as D/small.cpuprofile, D/heavy.cpuprofile
  --seed N       click points and scroll sequence (default 1)
  --help         this text

Build the extension first: npx wxt build`;

// Per action ~0.2 s, per event well under 1 ms, plus launch and builds: 15 minutes is far past a normal run.
const DEADLINE_MS = 15 * 60_000;

const count = (raw: string | undefined, fallback: number, name: string, min = 0): number => {
  const n = Number(raw ?? fallback);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return n;
};

/** Parses argv (without node and the script); throws with a readable message on a bad flag. */
export function parseCaptureBenchOptions(argv: string[]): CaptureBenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      clicks: { type: 'string' },
      scrolls: { type: 'string' },
      rounds: { type: 'string' },
      events: { type: 'string' },
      quick: { type: 'boolean' },
      profile: { type: 'boolean' },
      'profile-dir': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick === true;
  return {
    clicks: count(values.clicks, quick ? 30 : 120, 'clicks', 1),
    scrolls: count(values.scrolls, quick ? 10 : 40, 'scrolls'),
    rounds: count(values.rounds, 1, 'rounds', 1),
    events: count(values.events, quick ? 10_000 : 100_000, 'events'),
    profile: values.profile === true || values['profile-dir'] !== undefined,
    ...(values['profile-dir'] ? { profileDir: values['profile-dir'] } : {}),
    seed: count(values.seed, 1, 'seed'),
    deadlineMs: DEADLINE_MS,
  };
}
