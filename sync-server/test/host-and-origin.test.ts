import { mkdtemp, rm } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../src/main';
import { testSettings } from '../src/testing/test-settings';
import { startTestDatabase, type TestDatabase } from './testing/db-fixtures';
import { connect } from './testing/ws-client';

/**
 * Issue 10, finding 9: DNS rebinding. A page on an attacker's domain that re-resolves to 127.0.0.1
 * reaches the loopback dev server with the attacker's name in Host; a page of any origin may open a
 * WebSocket (browsers apply no CORS to sockets). Both would hand the public dev key to any website.
 */

const EXTENSION_ORIGIN = `chrome-extension://${'abcdefghijklmnop'.repeat(2)}`;
const CONSOLE_ORIGIN = 'https://console.example';

let pg: TestDatabase;
let dir: string;
let server: RunningServer;
let named: RunningServer;

beforeAll(async () => {
  pg = await startTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'host-origin-'));
  server = await startServer(
    testSettings({ databaseUrl: pg.url, dataDir: dir, port: 0, corsOrigins: [CONSOLE_ORIGIN] }),
  );
  named = await startServer(
    testSettings({
      databaseUrl: pg.url,
      dataDir: dir,
      port: 0,
      publicUrl: 'https://collector.example',
      allowedHosts: ['collector-upstream'],
    }),
  );
});
afterAll(async () => {
  await server?.close();
  await named?.close();
  await pg?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: string;
}

function readAnswer(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => (body += d));
    res.once('end', () => resolve({ status: res.statusCode ?? 0, body }));
    res.once('error', reject);
  });
}

/** A plain HTTP request with the given Host header (fetch does not let a caller set Host). */
function httpGet(running: RunningServer, path: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: running.port, path, headers }, (res) => {
      readAnswer(res).then(resolve, reject);
    });
    req.once('error', reject);
    req.end();
  });
}

/** Attempts a WebSocket handshake; resolves with the refusal it got, or 101 once the socket opened. */
function handshake(running: RunningServer, options: { host?: string; origin?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${running.port}/ws`, {
      ...(options.origin !== undefined && { origin: options.origin }),
      ...(options.host !== undefined && { headers: { host: options.host } }),
    });
    ws.once('unexpected-response', (_req, res) => {
      readAnswer(res).then(resolve, reject);
    });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('error', reject);
  });
}

function errorOf(answer: Answer): { code: string; message: string } {
  return (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;
}

describe('Host header (DNS rebinding)', () => {
  it('refuses a rebound name with 403 and the JSON error, before the dev key is looked at', async () => {
    const port = server.port;
    for (const host of [`rebind.attacker.example:${port}`, 'attacker.example', `localhost.attacker.example:${port}`]) {
      const answer = await httpGet(server, '/api/extension/sessions', {
        host,
        authorization: 'Bearer test-key-dev',
      });
      expect(answer.status, host).toBe(403);
      expect(errorOf(answer).code).toBe('forbidden');
      expect(errorOf(answer).message).toContain('is not served here');
    }
  });

  it('serves loopback names and IP addresses with any port', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'localhost', `[::1]:${server.port}`]) {
      const answer = await httpGet(server, '/api/extension/sessions', { host, authorization: 'Bearer test-key-dev' });
      expect(answer.status, host).toBe(200);
    }
  });

  it('serves the PUBLIC_URL host and ALLOWED_HOSTS, and still refuses other names', async () => {
    expect((await httpGet(named, '/health', { host: 'collector.example' })).status).toBe(200);
    expect((await httpGet(named, '/health', { host: 'collector-upstream:3000' })).status).toBe(200);
    expect((await httpGet(named, '/health', { host: 'elsewhere.example' })).status).toBe(403);
  });

  it('refuses a WebSocket upgrade for a rebound name, answering the JSON error on the socket', async () => {
    const answer = await handshake(server, { host: `rebind.attacker.example:${server.port}` });
    expect(answer.status).toBe(403);
    expect(errorOf(answer).code).toBe('forbidden');
  });
});

describe('WebSocket Origin', () => {
  it('refuses a page of a foreign origin with 403 and the JSON error', async () => {
    for (const origin of [
      'http://evil.example',
      'null',
      `http://127.0.0.1:${server.port}`,
      'chrome-extension://short',
    ]) {
      const answer = await handshake(server, { origin });
      expect(answer.status, origin).toBe(403);
      expect(errorOf(answer).code).toBe('forbidden');
      expect(errorOf(answer).message).toContain('WebSocket origin');
    }
  });

  it('accepts the extension origin, CORS_ORIGINS, and programs that send no Origin', async () => {
    expect((await handshake(server, { origin: EXTENSION_ORIGIN })).status).toBe(101);
    expect((await handshake(server, { origin: CONSOLE_ORIGIN })).status).toBe(101);
    expect((await handshake(server, {})).status).toBe(101);
  });

  it('lets the extension authenticate with the dev key over its own origin', async () => {
    const socket = await connect(`ws://127.0.0.1:${server.port}/extension-ws`, { origin: EXTENSION_ORIGIN });
    socket.send({ type: 'authenticate', apiKey: 'test-key-dev' });
    expect((await socket.next()).type).toBe('authentication_success');
    socket.close();
    await socket.closed;
  });

  it('keeps serving after many refused upgrades (each refused socket is closed)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => handshake(server, { origin: 'http://evil.example' })),
    );
    expect(answers.every((a) => a.status === 403)).toBe(true);
    expect((await httpGet(server, '/health', {})).status).toBe(200);
  });
});
