import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeCompressed, type BatchMessage } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAdminToken } from '../src/auth/admin-token';
import { startServer, type RunningServer } from '../src/main';
import { testSettings } from '../src/testing/test-settings';
import { connect, connectAuthenticated, type TestSocket } from './testing/ws-client';

/**
 * Issue 10: a socket without a key costs the server almost nothing. Before `authentication_success` it
 * reads one small text frame (the `authenticate` message); it never inflates or parses anything else
 * for an unauthenticated socket, holds at most a little text behind the `authenticate` (old clients
 * stream without waiting) and drops it unread when authentication fails. Sockets awaiting
 * authentication are capped per client IP, authenticated sockets per key.
 */

const SECRET = 'ws-preauth-secret-ws-preauth-secret-0123';
const PENDING_PER_IP = 3;
const PER_KEY = 2;
let dir: string;
let server: RunningServer;
let wsUrl: string;
let admin: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ws-preauth-'));
  server = await startServer(
    testSettings({
      dataDir: dir,
      port: 0,
      jwtSecret: SECRET,
      wsMaxPendingAuthPerIp: PENDING_PER_IP,
      wsMaxConnectionsPerKey: PER_KEY,
    }),
  );
  wsUrl = server.wsUrls[0]!;
  admin = await signAdminToken(SECRET, 'test', '5m');
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const expectRefused = async (socket: TestSocket, message: RegExp, code = 4401) => {
  expect(await socket.next()).toEqual({
    type: 'authentication_failed',
    message: expect.stringMatching(message) as unknown,
  });
  expect((await socket.closed).code).toBe(code);
};

/**
 * Sends `frames` (JSON text, or binary) in one TCP write, so the server reads them together, before the
 * key lookup of an `authenticate` among them can finish: what a client that does not wait looks like.
 */
function sendTogether(socket: TestSocket, frames: unknown[]) {
  // ws keeps its TCP socket in `_socket`; corking it turns the frames' writes into one.
  const tcp = (socket.ws as unknown as { _socket: Socket })._socket;
  tcp.cork();
  for (const frame of frames) socket.ws.send(frame instanceof Uint8Array ? frame : JSON.stringify(frame));
  tcp.uncork();
}

async function storedEvents(sessionId: string): Promise<number> {
  const res = await fetch(`${server.url}/api/extension/sessions/${sessionId}/data`, {
    headers: { authorization: `Bearer ${admin}` },
  });
  if (res.status === 404) return 0;
  return ((await res.json()) as { events: unknown[] }).events.length;
}

async function newWorkerKey(name: string): Promise<string> {
  const res = await fetch(`${server.url}/api/workers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return ((await res.json()) as { apiKey: string }).apiKey;
}

function batchOf(sessionId: string): BatchMessage {
  return {
    type: 'batch',
    v: 1,
    batchId: 'b1',
    sessionId,
    firstSequence: 1,
    lastSequence: 3,
    events: sampleRecordedEvents(sessionId, 3, 1),
  };
}

describe('before authentication', () => {
  it('refuses a gzip-compressed authenticate: nothing binary is inflated before authentication', async () => {
    const socket = await connect(wsUrl);
    socket.ws.send(encodeCompressed({ type: 'authenticate', apiKey: 'test-key-dev' }));
    await expectRefused(socket, /text frame/);
  });

  it('refuses an authenticate text frame larger than a few KiB without reading it', async () => {
    const socket = await connect(wsUrl);
    socket.send({ type: 'authenticate', apiKey: 'test-key-dev', padding: 'x'.repeat(64 * 1024) });
    await expectRefused(socket, /too large/);
  });

  it('refuses a binary frame sent after authenticate but before the answer, and stores nothing of it', async () => {
    const socket = await connect(wsUrl);
    sendTogether(socket, [
      { type: 'authenticate', apiKey: 'test-key-dev' },
      encodeCompressed(batchOf('cs_preauth_binary')),
    ]);
    await expectRefused(socket, /before authentication/);
    expect(await storedEvents('cs_preauth_binary')).toBe(0);
  });

  it('refuses a zip bomb sent behind an authenticate with a bad key, without inflating it', async () => {
    // 30 MiB of a JSON array in ~30 KiB of gzip: inflating and parsing it took the old server seconds.
    const bomb = gzipSync(Buffer.from(`[${'0,'.repeat(15 * 1024 * 1024)}0]`), { level: 9 });
    const socket = await connect(wsUrl);
    sendTogether(socket, [{ type: 'authenticate', apiKey: 'csk_not_a_key' }, bomb]);
    await expectRefused(socket, /binary frame before authentication/);
  });

  it('holds only a little text sent before the answer: more closes the socket unread', async () => {
    const socket = await connect(wsUrl);
    // 100 small frames behind authenticate: more than the 64 held.
    const event = { type: 'click', timestamp: 1, url: 'https://shop.example/' };
    sendTogether(socket, [
      { type: 'authenticate', apiKey: await newWorkerKey('Impatient') },
      ...Array.from({ length: 100 }, (_, i) => ({
        type: 'interaction_data',
        sessionId: 'cs_preauth_flood',
        data: { ...event, sequence: i + 1 },
      })),
    ]);
    await expectRefused(socket, /before authentication/);
    expect(await storedEvents('cs_preauth_flood')).toBe(0);
  });

  it('still serves an old client that streams a few messages right behind authenticate', async () => {
    const socket = await connect(wsUrl);
    sendTogether(socket, [
      { type: 'authenticate', apiKey: await newWorkerKey('Old client') },
      ...Array.from({ length: 5 }, (_, i) => ({
        type: 'interaction_data',
        sessionId: 'cs_preauth_legacy',
        data: { type: 'click', timestamp: 1001 + i, url: 'https://shop.example/', sequence: i + 1 },
      })),
    ]);
    expect((await socket.next()).type).toBe('authentication_success');
    for (let i = 1; i <= 5; i++) expect(await socket.next()).toMatchObject({ type: 'ack', stored: 1 });
    socket.close();
  });

  it(`caps sockets awaiting authentication at ${PENDING_PER_IP} per client IP`, async () => {
    const key = await newWorkerKey('Pending');
    const silent = await Promise.all(Array.from({ length: PENDING_PER_IP }, () => connect(wsUrl)));
    const refused = await connect(wsUrl);
    refused.send({ type: 'authenticate', apiKey: key });
    await expectRefused(refused, /awaiting authentication/, 1013);
    // Authenticating frees the slot: the next socket from this address is served again.
    silent[0]!.send({ type: 'authenticate', apiKey: key });
    expect((await silent[0]!.next()).type).toBe('authentication_success');
    const next = await connectAuthenticated(wsUrl, { apiKey: key });
    for (const s of [...silent, next]) s.close();
    await Promise.all([...silent, next].map((s) => s.closed));
  });
});

describe('connections per key', () => {
  it(`refuses a key's socket past ${PER_KEY} open ones, and serves it again once one closed`, async () => {
    const key = await newWorkerKey('Capped');
    const open = await Promise.all(Array.from({ length: PER_KEY }, () => connectAuthenticated(wsUrl, { apiKey: key })));
    const extra = await connect(wsUrl);
    extra.send({ type: 'authenticate', apiKey: key });
    await expectRefused(extra, /too many open connections/, 1013);
    // Another key is not affected.
    const other = await connectAuthenticated(wsUrl, { apiKey: await newWorkerKey('Other') });
    open[0]!.close();
    await open[0]!.closed;
    const again = await connectAuthenticated(wsUrl, { apiKey: key });
    for (const s of [open[1]!, other, again]) s.close();
    await Promise.all([open[1]!, other, again].map((s) => s.closed));
  });
});
