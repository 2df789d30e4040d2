import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';

/**
 * Downloads the JSONL training dataset from the sync server (admin token), one session or a time range:
 *   npx tsx scripts/exports/dataset.ts --server URL --token T (--session ID | [--from T] [--to T] [--worker W]) --out FILE
 * Progress goes to stderr (lines and events done, of the total the server announces); the file appears
 * only once complete (written next to it, then renamed), so a cut download never leaves a truncated
 * dataset behind. Format: docs/formats.md, "JSONL dataset".
 */

export const USAGE = `Usage: npx tsx scripts/exports/dataset.ts --server URL --token ADMIN_TOKEN
         (--session ID | [--from TIME] [--to TIME] [--worker ID]) --out FILE

  --server URL     the sync server, e.g. http://127.0.0.1:8787
  --token T        an admin token (npm run admin -w sync-server -- token, or ADMIN_TOKEN in the environment)
  --session ID     one session's lines
  --from, --to     sessions that started in [from, to): ISO 8601 times or epoch milliseconds
  --worker ID      only this worker's sessions
  --out FILE       where to write the JSONL
`;

/** What one run downloads. */
export interface DatasetExportOptions {
  server: string;
  token: string;
  out: string;
  session?: string;
  from?: string;
  to?: string;
  worker?: string;
}

/** The options from argv, or a message saying what is wrong ('' for --help). */
export function parseDatasetArgs(argv: string[], env: NodeJS.ProcessEnv): DatasetExportOptions | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        session: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        worker: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help) return '';
  const token = values.token ?? env.ADMIN_TOKEN;
  if (!values.server || !token || !values.out) return '--server, --token (or ADMIN_TOKEN) and --out are required';
  if (values.session && (values.from || values.to || values.worker))
    return '--session cannot be combined with --from, --to or --worker';
  const { session, from, to, worker } = values;
  return {
    server: values.server.replace(/\/+$/, ''),
    token,
    out: values.out,
    ...(session ? { session } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(worker ? { worker } : {}),
  };
}

/** The URL of the export `options` ask for. */
export function datasetUrl(options: DatasetExportOptions): string {
  if (options.session)
    return `${options.server}/api/admin/sessions/${encodeURIComponent(options.session)}/dataset.jsonl`;
  const query = new URLSearchParams();
  for (const key of ['from', 'to', 'worker'] as const) {
    const value = options[key];
    if (value) query.set(key, value);
  }
  const text = query.toString();
  return `${options.server}/api/admin/dataset.jsonl${text ? `?${text}` : ''}`;
}

/** What a finished download counted. */
export interface DatasetExportResult {
  lines: number;
  sessions: number;
  bytes: number;
  /** What the server announced (X-Total-Events), when it did. */
  totalEvents: number | undefined;
}

/** Longest line accepted: a line is at most ~30 KiB (a 10,000-character value, a 4 KiB snippet, a target). */
const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Counts lines, sessions and events as the bytes pass. Events done: per session, the highest sequence
 * its lines came from (events that make no action, such as hovers, count once a later action passes them).
 */
class ProgressCounter {
  lines = 0;
  sessions = 0;
  private eventsBefore = 0;
  private session: string | undefined;
  private sessionEvents = 0;
  private rest = '';

  push(text: string): void {
    const parts = (this.rest + text).split('\n');
    this.rest = parts.pop() ?? '';
    // Lines are a few KiB (docs/formats.md); a server sending no newline must not fill the memory.
    if (this.rest.length > MAX_LINE_CHARS) throw new Error(`a line longer than ${MAX_LINE_CHARS} characters`);
    for (const line of parts) if (line) this.count(line);
  }

  end(): void {
    if (this.rest) this.count(this.rest);
    this.rest = '';
  }

  get events(): number {
    return this.eventsBefore + this.sessionEvents;
  }

  private count(line: string): void {
    this.lines++;
    const parsed = JSON.parse(line) as { session?: { id?: string }; sequences?: number[] };
    const id = parsed.session?.id;
    if (id !== this.session) {
      this.eventsBefore += this.sessionEvents;
      this.sessionEvents = 0;
      this.session = id;
      this.sessions++;
    }
    this.sessionEvents = Math.max(this.sessionEvents, parsed.sequences?.at(-1) ?? 0);
  }
}

/** Time between progress lines: visible on a long export without flooding the terminal. */
const PROGRESS_EVERY_MS = 1000;

/**
 * Downloads the dataset to `options.out`. Progress lines go to `progress`; `fetchImpl` is the global
 * fetch unless a test passes an in-process app's `request`.
 */
export async function exportDataset(
  options: DatasetExportOptions,
  progress: (line: string) => void,
  fetchImpl: (url: string, init: RequestInit) => Promise<Response> = fetch,
): Promise<DatasetExportResult> {
  const url = datasetUrl(options);
  progress(`GET ${url}`);
  const res = await fetchImpl(url, { headers: { authorization: `Bearer ${options.token}` } });
  if (!res.ok || !res.body) {
    const body = await res.text().catch(() => '');
    throw new Error(`${res.status} ${res.statusText}: ${body.slice(0, 500)}`);
  }
  const announced = Number(res.headers.get('x-total-events'));
  const totalEvents = res.headers.has('x-total-events') && Number.isFinite(announced) ? announced : undefined;
  const counter = new ProgressCounter();
  const decoder = new TextDecoder();
  let bytes = 0;
  let reportedAt = Date.now();
  const report = () =>
    progress(
      `${counter.lines} lines, ${counter.sessions} sessions, events ${counter.events}` +
        (totalEvents === undefined ? '' : ` of ${totalEvents}`),
    );
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      try {
        counter.push(decoder.decode(chunk, { stream: true }));
      } catch (error) {
        done(error as Error);
        return;
      }
      if (Date.now() - reportedAt >= PROGRESS_EVERY_MS) {
        reportedAt = Date.now();
        report();
      }
      done(null, chunk);
    },
    flush(done) {
      try {
        counter.push(decoder.decode());
        counter.end();
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  const partial = `${options.out}.partial`;
  try {
    await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), count, createWriteStream(partial));
    await rename(partial, options.out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  report();
  progress(`wrote ${options.out} (${bytes} bytes)`);
  return { lines: counter.lines, sessions: counter.sessions, bytes, totalEvents };
}

async function main(): Promise<void> {
  const options = parseDatasetArgs(process.argv.slice(2), process.env);
  if (typeof options === 'string') {
    process.stderr.write(options ? `${options}\n\n${USAGE}` : USAGE);
    process.exitCode = options ? 2 : 0;
    return;
  }
  try {
    await exportDataset(options, (line) => process.stderr.write(`${line}\n`));
  } catch (error) {
    process.stderr.write(`dataset export failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
