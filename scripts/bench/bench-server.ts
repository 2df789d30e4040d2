import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { childStopper, waitForChild } from './child-ipc';

/** Messages the parent sends to server-process.ts. */
export type ParentMessage = { type: 'stop' } | { type: 'cpu' };

/** Messages server-process.ts sends back. */
export type ServerProcessMessage =
  | { type: 'ready'; url: string; wsUrl: string }
  | { type: 'failed'; message: string }
  | { type: 'cpu'; usage: NodeJS.CpuUsage };

/** The real sync server running in a child process. */
export interface BenchServer {
  url: string;
  /** The `/ws` endpoint the extension uses. */
  wsUrl: string;
  pid: number;
  /** User + system CPU time the server process has used so far, in ms. */
  cpuMs(): Promise<number>;
  /** Graceful stop (the server drains and closes its pool), SIGKILL if that takes too long. Idempotent. */
  stop(): Promise<void>;
}

/** Start-up includes tsx compiling the server and the migration; a few seconds on a loaded 2-core box. */
const START_TIMEOUT_MS = 30_000;
/** The server's own drain bound is 10 s; nothing is in flight when the bench stops it. */
const STOP_TIMEOUT_MS = 15_000;
const CPU_TIMEOUT_MS = 5_000;

const SERVER_ENTRY = fileURLToPath(new URL('./server-process.ts', import.meta.url));

const waitFor = <T extends ServerProcessMessage['type']>(child: ChildProcess, type: T, timeoutMs: number) =>
  waitForChild<ServerProcessMessage, T>(child, type, timeoutMs, 'bench server');

/**
 * Forks server-process.ts (inheriting tsx's loader from this process's execArgv) on `databaseUrl` and
 * resolves once it listens on 127.0.0.1 and has migrated the database. With `cpuProfileDir`, the server
 * writes a V8 CPU profile there when it stops (open it in Chrome DevTools). The rate limits are lifted
 * unless `productionLimits` (the load bench keeps them).
 */
export async function startBenchServer(
  databaseUrl: string,
  options: { cpuProfileDir?: string; productionLimits?: boolean } = {},
): Promise<BenchServer> {
  const child = fork(SERVER_ENTRY, [], {
    // Node writes the .cpuprofile when the process exits, so a profile covers the whole bench.
    execArgv: options.cpuProfileDir
      ? [...process.execArgv, '--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]
      : process.execArgv,
    env: {
      ...process.env,
      BENCH_DATABASE_URL: databaseUrl,
      NODE_ENV: 'test',
      BENCH_PRODUCTION_LIMITS: options.productionLimits ? '1' : '0',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready: Extract<ServerProcessMessage, { type: 'ready' }>;
  try {
    ready = await waitFor(child, 'ready', START_TIMEOUT_MS);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    throw err;
  }
  return {
    url: ready.url,
    wsUrl: ready.wsUrl,
    pid: child.pid ?? -1,
    async cpuMs() {
      const reply = waitFor(child, 'cpu', CPU_TIMEOUT_MS);
      child.send({ type: 'cpu' } satisfies ParentMessage);
      const { usage } = await reply;
      return (usage.user + usage.system) / 1000;
    },
    stop: childStopper(child, exited, STOP_TIMEOUT_MS),
  };
}
