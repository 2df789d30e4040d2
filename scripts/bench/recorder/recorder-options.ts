import { parseArgs } from 'node:util';

/** What one recorder bench run does; see README.md. */
export interface RecorderBenchOptions {
  /** Length of the recording, in whole minutes (memory is sampled once a minute). */
  minutes: number;
  /** A burst every this many seconds, alternately a click on the shop and a manual burst. */
  burstEveryS: number;
  /** Narration on (the point of the bench); off only to find out which recorder holds on to memory. */
  narration: boolean;
  /** Screenshots on; off, the clicks are still recorded and the manual bursts are refused. */
  screenshots: boolean;
  /** The encode probe in the service worker; off to take the bench's own work out of the worker. */
  encodeProbe: boolean;
  /**
   * The extension page the bench drives the recorder from (settings, commands, reads). `microphone`: a
   * quiet page, as when the worker has closed the popup (the usual case while shopping); `popup`: the
   * popup stays open the whole run, with its live queries over the session's rows.
   */
  page: 'microphone' | 'popup';
  /** The whole bench is aborted (and cleaned up) after this long. */
  deadlineMs: number;
}

const DEFAULT_MINUTES = 10;
const DEFAULT_BURST_EVERY_S = 5;
/**
 * A burst is 3 frames 600 ms apart (1.2 s plus capture and encoding): bursts closer than 2 s would
 * only measure the queue dropping frames.
 */
const MIN_BURST_EVERY_S = 2;
/** Launch, process identification and the final reads take well under a minute; 5 minutes of slack. */
const DEADLINE_SLACK_MS = 5 * 60_000;

/** The `--help` text. */
export const USAGE = `Usage: npx tsx scripts/bench/recorder.ts [options]   (or npm run bench:recorder -- [options])

  --minutes N        minutes of recording, whole minutes (default ${DEFAULT_MINUTES})
  --burst-every-s S  a screenshot burst every S seconds, ≥ ${MIN_BURST_EVERY_S} (default ${DEFAULT_BURST_EVERY_S}); clicks and manual bursts alternate
  --no-narration     narration off (to find out which recorder holds on to memory)
  --no-screenshots   screenshots off (the clicks still happen, manual bursts are refused)
  --no-encode-probe  no encode timing in the service worker (takes the bench's own work out of it)
  --with-popup       drive the recorder from the popup, open the whole run (default: from the quiet
                     microphone page, as when the worker has closed the popup)
  --help             this text

Build the extension first: npx wxt build`;

/** Parses argv (without node and the script); throws with a readable message on a bad flag. */
export function parseRecorderBenchOptions(argv: string[]): RecorderBenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      minutes: { type: 'string' },
      'burst-every-s': { type: 'string' },
      'no-narration': { type: 'boolean' },
      'no-screenshots': { type: 'boolean' },
      'no-encode-probe': { type: 'boolean' },
      'with-popup': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const minutes = Number(values.minutes ?? DEFAULT_MINUTES);
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new Error(`--minutes must be a whole number ≥ 1, got "${values.minutes}"`);
  const burstEveryS = Number(values['burst-every-s'] ?? DEFAULT_BURST_EVERY_S);
  if (!Number.isFinite(burstEveryS) || burstEveryS < MIN_BURST_EVERY_S || burstEveryS > minutes * 60)
    throw new Error(
      `--burst-every-s must be a number from ${MIN_BURST_EVERY_S} to the run's length in seconds, got "${values['burst-every-s']}"`,
    );
  return {
    minutes,
    burstEveryS,
    narration: !values['no-narration'],
    screenshots: !values['no-screenshots'],
    encodeProbe: !values['no-encode-probe'],
    page: values['with-popup'] ? 'popup' : 'microphone',
    deadlineMs: minutes * 60_000 + DEADLINE_SLACK_MS,
  };
}
