import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';

/**
 * Downloads a session's replayable flow from the sync server (admin token):
 *   npx tsx scripts/exports/flow.ts --server URL --token T --session ID --format recorder|playwright --out FILE
 * `recorder` is Chrome DevTools Recorder JSON (`@puppeteer/replay`, Chrome's Recorder panel), `playwright`
 * a Playwright test. Progress goes to stderr; the file appears only once complete (written next to it,
 * then renamed), so a cut download never leaves a truncated flow behind.
 */

export const USAGE = `Usage: npx tsx scripts/exports/flow.ts --server URL --token ADMIN_TOKEN --session ID
         [--format recorder|playwright] [--out FILE]

  --server URL     the sync server, e.g. http://127.0.0.1:8787
  --token T        an admin token (npm run admin -w sync-server -- token, or ADMIN_TOKEN in the environment)
  --session ID     the session to export
  --format F       recorder (default): Chrome DevTools Recorder JSON; playwright: a Playwright test script
  --out FILE       where to write (default: <session>.flow.json / <session>.spec.ts)
`;

/** What one run downloads. */
export interface FlowExportOptions {
  server: string;
  token: string;
  session: string;
  format: 'recorder' | 'playwright';
  out: string;
}

/** The options from argv, or a message saying what is wrong. */
export function parseFlowArgs(argv: string[], env: NodeJS.ProcessEnv): FlowExportOptions | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        session: { type: 'string' },
        format: { type: 'string', default: 'recorder' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help) return '';
  const token = values.token ?? env.ADMIN_TOKEN;
  if (!values.server || !token || !values.session)
    return '--server, --token (or ADMIN_TOKEN) and --session are required';
  if (values.format !== 'recorder' && values.format !== 'playwright') return '--format must be recorder or playwright';
  const out =
    values.out ?? (values.format === 'recorder' ? `${values.session}.flow.json` : `${values.session}.spec.ts`);
  return { server: values.server.replace(/\/+$/, ''), token, session: values.session, format: values.format, out };
}

/** Downloads the flow to `options.out`; returns the bytes written. Progress lines go to `progress`. */
export async function exportFlow(options: FlowExportOptions, progress: (line: string) => void): Promise<number> {
  const file = options.format === 'recorder' ? 'flow.json' : 'flow.spec.ts';
  const url = `${options.server}/api/admin/sessions/${encodeURIComponent(options.session)}/${file}`;
  progress(`GET ${url}`);
  const res = await fetch(url, { headers: { authorization: `Bearer ${options.token}` } });
  if (!res.ok || !res.body) {
    const body = await res.text().catch(() => '');
    throw new Error(`${res.status} ${res.statusText}: ${body.slice(0, 500)}`);
  }
  let bytes = 0;
  let reported = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      // A line per 256 KiB: visible progress on a long session without flooding the terminal.
      if (bytes - reported >= 256 * 1024) {
        reported = bytes;
        progress(`${Math.round(bytes / 1024)} KiB`);
      }
      done(null, chunk);
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
  progress(`wrote ${options.out} (${bytes} bytes)`);
  return bytes;
}

async function main(): Promise<void> {
  const options = parseFlowArgs(process.argv.slice(2), process.env);
  if (typeof options === 'string') {
    process.stderr.write(options ? `${options}\n\n${USAGE}` : USAGE);
    process.exitCode = options ? 2 : 0;
    return;
  }
  try {
    await exportFlow(options, (line) => process.stderr.write(`${line}\n`));
  } catch (error) {
    process.stderr.write(`flow export failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
