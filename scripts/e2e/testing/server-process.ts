import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from '../../lib/free-port';
import { REPO_ROOT } from './extension-build';

/**
 * The server's built-in development key (`DEV_API_KEY` in sync-server/src/auth/api-keys.ts): every
 * server started here accepts it, since none runs in production mode.
 */
export const TEST_API_KEY = 'test-key-dev';

/** A sync server running as its own process, so a test can kill it (even with SIGKILL) and restart it. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>`: stable across restarts. */
  url: string;
  port: number;
  /** Starts the server (again) on the same port and database; resolves once /health/ready answers 200. */
  start(): Promise<void>;
  /** Stops it: SIGTERM is a graceful shutdown, SIGKILL a crash. Resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Kills it if running and removes its data directory. */
  dispose(): Promise<void>;
  /** Everything the server printed, for failure messages. */
  output(): string;
}

/** The server start-up takes ~1–3 s (tsx, migrations); 30 s means something is wrong. */
const START_TIMEOUT_MS = 30_000;

/** Runs `sync-server/src/main.ts` with `env` (DATABASE_URL, …) on a free loopback port. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await getFreePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'sync-server-data-'));
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let log = '';

  const start = async () => {
    if (child) throw new Error('server already running');
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: join(REPO_ROOT, 'sync-server'),
      env: {
        ...process.env,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout.on('data', (d) => (log += d));
    proc.stderr.on('data', (d) => (log += d));
    proc.on('exit', () => {
      if (child === proc) child = null;
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (!child) throw new Error(`server exited during start-up:\n${log}`);
      // Ready, not merely live: the server listens before it migrates and refuses requests until done.
      const ok = await fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (Date.now() > deadline)
        throw new Error(`server was not ready (/health/ready) within ${START_TIMEOUT_MS} ms:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const proc = child;
    if (!proc) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  };

  await start();
  return {
    url,
    port,
    start,
    kill,
    async dispose() {
      await kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
    output: () => log,
  };
}
