import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { createWorkerWithKey } from '../src/auth/api-keys';
import { createDatabase, type OpenDatabase } from '../src/db/database';
import { startServer, type RunningServer } from '../src/main';
import type { Settings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';
import { connect, type TestSocket } from './testing/ws-client';

/**
 * Issue 12: a crowd-work office behind one NAT is many workers with their own keys on one address.
 * Authenticated traffic is charged to each key, never to the address; the address's budgets are for
 * what comes before (or without) a valid credential. Real sockets on real PostgreSQL, with the default
 * limits, bounded to a few hundred clients so the test stays a few seconds.
 */

/** Workers behind the one address (127.0.0.1). */
const CROWD = 300;
/**
 * Messages each sends once authenticated: 300 x 12 = 3,600 frames, more than the old per-address limit
 * (3,000 a minute for everything from one IP) let through.
 */
const MESSAGES_EACH = 12;

let pg: PostgresCluster;
let check: OpenDatabase;
const servers: RunningServer[] = [];
const dirs: string[] = [];

async function start(overrides: Partial<Settings> = {}): Promise<RunningServer> {
  const dir = await mkdtemp(join(tmpdir(), 'ws-crowd-'));
  dirs.push(dir);
  const server = await startServer(testSettings({ dataDir: dir, port: 0, databaseUrl: pg.url, ...overrides }));
  servers.push(server);
  return server;
}

beforeAll(async () => {
  pg = await startPostgres();
  check = await createDatabase({ databaseUrl: pg.url, dataDir: pg.dir });
});
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.close()));
  await check?.close();
  await pg?.stop();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Sends `authenticate` with `apiKey` on a new socket and returns it with the answer. */
async function authenticate(
  url: string,
  apiKey: string,
): Promise<{ socket: TestSocket; reply: Record<string, unknown> }> {
  const socket = await connect(url);
  socket.send({ type: 'authenticate', apiKey });
  return { socket, reply: await socket.next(10_000) };
}

describe('a crowd behind one address (issue 12)', () => {
  it(`${CROWD} workers behind one address connect at once, authenticate, send and resume over HTTP without rate_limited`, async () => {
    const server = await start();
    // Created first (the database is shared): the server's own migrations ran by now.
    const keys = await Promise.all(
      Array.from({ length: CROWD }, async (_, i) => (await createWorkerWithKey(check.db, `Crowd ${i}`)).key),
    );
    const opened = await Promise.all(keys.map((key) => authenticate(server.wsUrls[0]!, key)));
    expect(opened.filter((o) => o.reply.type === 'authentication_success')).toHaveLength(CROWD);

    const replies = await Promise.all(
      opened.map(async ({ socket }) => {
        for (let i = 0; i < MESSAGES_EACH; i++) socket.send({ type: 'resume', sessionIds: [] });
        const got: string[] = [];
        for (let i = 0; i < MESSAGES_EACH; i++) {
          const reply = await socket.next(10_000);
          got.push(String(reply.code ?? reply.type));
        }
        return got;
      }),
    );
    // What a reconnecting extension also does: one HTTP resume per worker, from the same address.
    const http = await Promise.all(
      keys.map((key) =>
        fetch(`${server.url}/api/sync/resume`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sessionIds: [] }),
        }).then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        }),
      ),
    );
    const counts = (items: (string | number)[]) =>
      Object.fromEntries([...new Set(items)].map((item) => [item, items.filter((i) => i === item).length]));
    expect(counts(replies.flat())).toEqual({ resume_state: CROWD * MESSAGES_EACH });
    expect(counts(http)).toEqual({ 200: CROWD });

    for (const { socket } of opened) socket.close();
    await Promise.all(opened.map(({ socket }) => socket.closed));
  });

  it('bad keys from one address are refused before authentication work once the address budget is spent', async () => {
    // Failures on sockets and over HTTP share one budget per address; the default is 600 a minute.
    const server = await start({ rateLimitAuthFailuresPerMinuteIp: 4 });
    const { key } = await createWorkerWithKey(check.db, 'Honest');
    for (let i = 0; i < 3; i++) {
      const { socket, reply } = await authenticate(server.wsUrls[0]!, `csk_guess${i}`);
      expect(reply).toEqual({ type: 'authentication_failed', message: 'invalid or revoked API key' });
      expect((await socket.closed).code).toBe(4401);
    }
    const httpGuess = await fetch(`${server.url}/api/sessions`, { headers: { authorization: 'Bearer csk_guess3' } });
    expect(httpGuess.status).toBe(401);
    await httpGuess.arrayBuffer();

    // Spent: credentials from this address are refused unread, on sockets (1013) and over HTTP (429).
    const { socket, reply } = await authenticate(server.wsUrls[0]!, key);
    expect(reply).toEqual({
      type: 'authentication_failed',
      message: expect.stringMatching(/^too many failed authentications from this address: retry in \d+ s$/) as unknown,
    });
    expect((await socket.closed).code).toBe(1013);
    const refused = await fetch(`${server.url}/api/sessions`, { headers: { authorization: `Bearer ${key}` } });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Requests without a credential are another budget: the address can still reach the health check.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
