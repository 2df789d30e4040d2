import { readdir, readFile } from 'node:fs/promises';
import { startServerProcess, type ServerProcess } from '../../e2e/testing/server-process';
import { startPostgres, type PostgresCluster } from '../../lib/postgres-cluster';
import { adminToken } from './jwt';
import { sendHttp } from './transport-http';

/**
 * The server under fuzz: a real PostgreSQL and the sync server as a child process (so its RSS can be
 * read from /proc and a crash is seen as an exit), with the workers the run needs created through the
 * admin API.
 */

/** Limits of the fuzz server, small so that over-the-limit cases are cheap to send. */
export const FUZZ_LIMITS = {
  /** 1 MiB frames and bodies: the honest batches (at most 60 events) are ~40 KiB. */
  maxFrameBytes: 1024 * 1024,
  maxBodyBytes: 1024 * 1024,
  /** 4 MiB inflated: a 5 MiB bomb is over it, and inflating stays cheap. */
  maxInflatedBytes: 4 * 1024 * 1024,
} as const;

/** Environment of the fuzz server. */
function serverEnv(databaseUrl: string, jwtSecret: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    JWT_SECRET: jwtSecret,
    MAX_FRAME_BYTES: String(FUZZ_LIMITS.maxFrameBytes),
    MAX_BODY_BYTES: String(FUZZ_LIMITS.maxBodyBytes),
    MAX_INFLATED_BYTES: String(FUZZ_LIMITS.maxInflatedBytes),
    // The limiter is not what is fuzzed: at the default 1200/min per key almost every message would be
    // answered rate_limited before the server looked at it.
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_PER_MINUTE_IP: '1000000',
    // Nor is the failed-authentication budget: forged credentials are a case family, not a flood.
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE_IP: '1000000',
    // Sockets that never authenticate are closed sooner, so such cases do not hold a slot for 5 s.
    AUTH_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'warn',
  };
}

/** A worker created for the run. */
export interface FuzzWorker {
  workerId: string;
  apiKey: string;
  keyId: string;
}

/** The running server and what the run needs to talk to it. */
export interface FuzzServer {
  pg: PostgresCluster;
  server: ServerProcess;
  /** The server process's pid (for /proc/<pid>/status). */
  pid: number;
  adminToken: string;
  createWorker(name: string): Promise<FuzzWorker>;
  revokeKey(keyId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The pid of the server process: startServerProcess spawns `node --import tsx src/main.ts` as our
 * child with PORT in its environment; /proc tells which child that is.
 */
async function findServerPid(port: number): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (ppid) follows the command name in parentheses, which may itself hold spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== process.pid) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`PORT=${port}`)) return Number(entry);
  }
  throw new Error(`no child process of ${process.pid} serves port ${port}`);
}

/** Starts PostgreSQL and the server; `stop()` removes both. */
export async function startFuzzServer(jwtSecret: string): Promise<FuzzServer> {
  const pg = await startPostgres();
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess(serverEnv(pg.url, jwtSecret));
    const running = server;
    const pid = await findServerPid(running.port);
    const token = adminToken(jwtSecret, Math.floor(Date.now() / 1000));
    const admin = async (method: string, path: string, body?: unknown) => {
      const answer = await sendHttp(
        running.port,
        {
          method,
          path,
          headers: {
            host: `127.0.0.1:${running.port}`,
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
        },
        30_000,
      );
      if (answer.kind !== 'http' || answer.status >= 300)
        throw new Error(`${method} ${path} failed: ${JSON.stringify(answer)}`);
      return JSON.parse(answer.body) as Record<string, unknown>;
    };
    return {
      pg,
      server: running,
      pid,
      adminToken: token,
      async createWorker(name) {
        const created = await admin('POST', '/api/workers', { name });
        return { workerId: String(created.workerId), apiKey: String(created.apiKey), keyId: String(created.keyId) };
      },
      async revokeKey(keyId) {
        await admin('POST', `/api/keys/${keyId}/revoke`);
      },
      async stop() {
        await running.dispose();
        await pg.stop();
      },
    };
  } catch (err) {
    await server?.dispose();
    await pg.stop();
    throw err;
  }
}
