import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getFreePort } from '../../scripts/lib/free-port';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { MIGRATION_LOCK_KEY } from '../src/db/migrate-once';
import { runMain, type MainProcess } from './testing/main-process';

/**
 * The real process's start order on PostgreSQL (issue 15): it listens before it migrates, so while
 * another instance holds the migration lock it is live (`/health` 200) but not ready (`/health/ready`
 * 503 "starting"), refuses every other request and WebSocket upgrade with a JSON 503, and logs that it
 * waits; once the lock is free it migrates, becomes ready, and a SIGTERM ends it with exit 0. A
 * shutdown that cannot finish (a query stuck behind a lock) ends at SHUTDOWN_TIMEOUT_MS with exit 1.
 */

let cluster: PostgresCluster;
let dataDir: string;
let server: MainProcess | undefined;

beforeAll(async () => {
  cluster = await startPostgres();
  dataDir = await mkdtemp(join(tmpdir(), 'startup-readiness-'));
});
afterAll(async () => {
  server?.kill();
  await cluster?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Status and parsed body of a GET, or undefined while nothing listens. */
async function get(url: string): Promise<{ status: number; body: unknown; retryAfter: string | null } | undefined> {
  try {
    const res = await fetch(url);
    return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
  } catch {
    return undefined;
  }
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (server && server.child.exitCode !== null) throw new Error(`server exited: ${server.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The status a WebSocket upgrade is answered with instead of 101 (101 when it is accepted). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

describe('start-up order of the real process', () => {
  it('is live but not ready while another instance migrates, then ready; SIGTERM exits 0', async () => {
    const holder = new pg.Client({ connectionString: cluster.url });
    await holder.connect();
    await holder.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    const port = await getFreePort();
    const base = `http://127.0.0.1:${port}`;
    try {
      server = runMain({
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: cluster.url,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      });
      await until(
        () => get(`${base}/health`),
        (r) => r?.status === 200,
        'the process to listen',
      );
      await until(
        () => Promise.resolve(server!.stdout()),
        (out) => out.includes('"migrations_waiting"'),
        'the process to log that it waits for the lock',
      );

      expect(await get(`${base}/health/ready`)).toMatchObject({
        status: 503,
        body: { status: 'starting', error: { code: 'unavailable' } },
        retryAfter: '5',
      });
      const legacy = await get(`${base}/api/health`);
      expect(legacy).toMatchObject({ status: 503, body: { error: { code: 'unavailable' } }, retryAfter: '5' });
      expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws`)).toBe(503);
    } finally {
      await holder.query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await holder.end();
    }

    await until(
      () => get(`${base}/health/ready`),
      (r) => r?.status === 200,
      'the process to be ready',
    );
    expect((await get(`${base}/api/health`))?.status).toBe(200);
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws`)).toBe(101);
    const events = server
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { event: string }).event);
    // Waited, then migrated itself (the holder applied nothing), then started.
    expect(events.indexOf('migrations_waiting')).toBeLessThan(events.indexOf('migrations_applied'));
    expect(events.indexOf('migrations_applied')).toBeLessThan(events.indexOf('server_started'));

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('"server_stopped"');
    expect(server.stdout()).not.toContain('"shutdown_timeout"');
  });
});

describe('the shutdown bound of the real process', () => {
  it('exits 1 with shutdown_timeout when a request stuck in the database keeps the drain from finishing', async () => {
    const url = await cluster.createDatabase('stuck_shutdown');
    const port = await getFreePort();
    const base = `http://127.0.0.1:${port}`;
    server = runMain({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '2000',
    });
    await until(
      () => get(`${base}/health/ready`),
      (r) => r?.status === 200,
      'the process to be ready',
    );

    // Every key lookup now waits for this transaction: the request below holds a pooled connection
    // that the database close at the end of the drain waits for.
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table api_keys in access exclusive mode');
    try {
      const key = `csk_${randomBytes(32).toString('base64url')}`;
      const stuck = fetch(`${base}/api/sessions`, { headers: { authorization: `Bearer ${key}` } }).catch(() => null);
      await until(
        async () =>
          (
            await locker.query<{ n: number }>(
              `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
            )
          ).rows[0]?.n ?? 0,
        (n) => n >= 1,
        'the key lookup to wait for the lock',
      );
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(1);
      expect(server.stdout()).toContain('"shutdown_timeout"');
      expect(server.stdout()).not.toContain('"server_stopped"');
      await stuck;
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
  });
});
