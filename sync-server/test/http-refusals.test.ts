import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpErrorBodySchema, ResumeStateSchema, validate } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/main';
import { testSettings } from '../src/testing/test-settings';

/**
 * Issue 10, finding C: every refusal reaches the client as its status and JSON error, on a real
 * listening server through Node's own fetch (undici, keep-alive), and the connection stays usable.
 * Before the fix, refused POSTs with bodies the server had not read ended in `other side closed` /
 * `EPIPE`, and so did the next request on the connection.
 */

const KiB = 1024;
const MAX_BODY = 256 * KiB;
const DEV_KEY = 'test-key-dev';

let dir: string;
let server: RunningServer;
let proxy: Server;
let proxyUrl: string;
/** TCP connections the client opened, and those the server ended: counted by a pass-through proxy. */
let connections = 0;
let closedByServer = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'http-refusals-'));
  server = await startServer(testSettings({ dataDir: dir, port: 0, maxBodyBytes: MAX_BODY }));
  proxy = createServer((client: Socket) => {
    connections++;
    const upstream = connect(server.port, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('end', () => closedByServer++);
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  proxyUrl = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const bytes = (n: number) => new Uint8Array(n).fill(0x61);

/** A body sent chunked (no Content-Length), in 16 KiB pieces. */
function chunked(n: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= n) return controller.close();
      const size = Math.min(16 * KiB, n - sent);
      sent += size;
      controller.enqueue(bytes(size));
    },
  });
}

interface Refusal {
  what: string;
  path: string;
  headers: Record<string, string>;
  body: () => Uint8Array | ReadableStream<Uint8Array>;
  status: number;
  code: string;
}

const REFUSALS: Refusal[] = [
  {
    what: 'a bad API key (body within the limit, never read)',
    path: '/api/sync/batch',
    headers: { 'x-api-key': 'csk_not-a-key', 'content-type': 'application/json' },
    body: () => bytes(200 * KiB),
    status: 401,
    code: 'authentication_failed',
  },
  {
    what: 'a declared body over the limit',
    path: '/api/sync/batch',
    headers: { 'x-api-key': DEV_KEY, 'content-type': 'application/json' },
    body: () => bytes(3 * MAX_BODY),
    status: 413,
    code: 'payload_too_large',
  },
  {
    what: 'a chunked body over the limit',
    path: '/api/interactions',
    headers: { 'x-api-key': DEV_KEY, 'content-type': 'application/json' },
    body: () => chunked(3 * MAX_BODY),
    status: 413,
    code: 'payload_too_large',
  },
  {
    what: 'the wrong content type (JSON sent as gzip)',
    path: '/api/sync/batch',
    headers: { 'x-api-key': DEV_KEY, 'content-type': 'application/octet-stream' },
    body: () => bytes(200 * KiB),
    status: 400,
    code: 'invalid_json',
  },
  {
    what: 'a route that does not exist',
    path: '/api/no-such-route',
    headers: { 'content-type': 'application/json' },
    body: () => bytes(200 * KiB),
    status: 404,
    code: 'not_found',
  },
  {
    what: 'a legacy route without a key',
    path: '/api/interactions',
    headers: { 'content-type': 'application/json' },
    body: () => bytes(200 * KiB),
    status: 401,
    code: 'not_authenticated',
  },
];

describe('refused POSTs on one keep-alive connection (undici fetch)', () => {
  it('answers each of many refusals in a row with its JSON 4xx, then serves the next request on the same connection', async () => {
    // undici's pool opens its second connection on the second request; after that it reuses them.
    for (let i = 0; i < 2; i++) expect((await fetch(`${proxyUrl}/health`)).status).toBe(200);
    const before = { connections, closedByServer };
    const seen: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const refusal of REFUSALS) {
        const body = refusal.body();
        // A stream body needs `duplex: 'half'`, which Node's RequestInit type does not list yet.
        const init: RequestInit & { duplex?: 'half' } = { method: 'POST', headers: refusal.headers, body };
        if (body instanceof ReadableStream) init.duplex = 'half';
        const res = await fetch(`${proxyUrl}${refusal.path}`, init);
        const json: unknown = await res.json();
        expect(validate(HttpErrorBodySchema, json).ok, refusal.what).toBe(true);
        seen.push(`${refusal.what}: ${res.status} ${(json as { error: { code: string } }).error.code}`);
      }
    }
    expect(seen).toEqual(
      Array.from({ length: 4 }, () => REFUSALS.map((r) => `${r.what}: ${r.status} ${r.code}`)).flat(),
    );

    const res = await fetch(`${proxyUrl}/api/sync/resume`, {
      method: 'POST',
      headers: { 'x-api-key': DEV_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ sessionIds: ['cs_http_refusals'] }),
    });
    expect(res.status).toBe(200);
    expect(validate(ResumeStateSchema, await res.json()).ok).toBe(true);
    // Every refusal left its connection usable: the server closed none, the client opened no other.
    expect({ connections, closedByServer }).toEqual(before);
  });

  it('answers a body declared past what is worth draining with its 413 and Connection: close', async () => {
    const res = await fetch(`${proxyUrl}/api/sync/batch`, {
      method: 'POST',
      headers: { 'x-api-key': DEV_KEY, 'content-type': 'application/json' },
      body: bytes(80 * 1024 * KiB),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const health = await fetch(`${proxyUrl}/health`);
    expect(health.status).toBe(200);
  });
});
