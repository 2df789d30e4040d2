import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { HttpErrorBodySchema, validate } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app';
import { createFsBlobStore } from './blobs/fs-blob-store';
import { createLogger } from './log';
import { TINY_PNG_DATA_URL } from './testing/test-images';
import { APP_START_TIMEOUT_MS, createTestApp, TEST_JWT_SECRET, type TestApp } from './testing/app-harness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body: unknown = await res.json();
  expect(validate(HttpErrorBodySchema, body).ok).toBe(true);
  expect((body as { error: { code: string } }).error.code).toBe(code);
  return body as { error: { code: string; message: string } };
}

describe('health', () => {
  it('answers /health and /api/health without credentials, checking database and blob store', async () => {
    const live = await t.request('/health');
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    const ready = await t.request('/api/health');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'healthy',
      services: { database: 'connected', storage: 'connected' },
      databaseKind: 'pglite',
      blobStore: 'fs',
    });
  });

  it('reports 503 when the blob store is unusable', async () => {
    const broken = {
      ...t.blobs,
      check: () => Promise.reject(new Error('bucket gone')),
    };
    const app = createApp({
      settings: t.settings,
      db: t.open.db,
      dbKind: 'pglite',
      blobs: broken,
      logger: createLogger('silent'),
    });
    const res = await app.request('/api/health');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'unhealthy',
      services: { database: 'connected', storage: 'disconnected' },
    });
  });
});

describe('worker authentication', () => {
  it('refuses a request without credentials, with a bad key, and with a revoked key', async () => {
    await expectError(await t.request('/api/extension/sessions'), 401, 'not_authenticated');
    await expectError(
      await t.request('/api/extension/sessions', { bearer: 'csk_not-a-real-key' }),
      401,
      'authentication_failed',
    );
    await expectError(await t.request('/api/extension/sessions', { apiKey: 'nope' }), 401, 'authentication_failed');

    const admin = await t.adminToken();
    const created = await t.request('/api/workers', { bearer: admin, json: { name: 'Ada' } });
    expect(created.status).toBe(201);
    const worker = (await created.json()) as { workerId: string; apiKey: string; keyId: string };
    expect(worker.apiKey).toMatch(/^csk_[A-Za-z0-9_-]{43}$/);
    expect((await t.request('/api/extension/sessions', { bearer: worker.apiKey })).status).toBe(200);
    expect((await t.request('/api/extension/sessions', { apiKey: worker.apiKey })).status).toBe(200);

    const revoked = await t.request(`/api/keys/${worker.keyId}/revoke`, { bearer: admin, method: 'POST' });
    expect(await revoked.json()).toEqual({ revoked: 1 });
    await expectError(
      await t.request('/api/extension/sessions', { bearer: worker.apiKey }),
      401,
      'authentication_failed',
    );
  });

  it('accepts test-key-dev outside production as the built-in dev worker', async () => {
    const res = await t.request('/api/sessions', { apiKey: 'test-key-dev', json: { sessionId: 'cs_dev_1' } });
    expect(res.status).toBe(201);
    const list = (await (await t.request('/api/sessions', { bearer: 'test-key-dev' })).json()) as {
      sessions: { workerId: string }[];
    };
    expect(list.sessions.map((s) => s.workerId)).toEqual(['dev-worker']);
  });

  it('rejects test-key-dev in production even when the dev worker exists in the database', async () => {
    const prod = createApp({
      settings: { ...t.settings, nodeEnv: 'production' },
      db: t.open.db,
      dbKind: 'pglite',
      blobs: createFsBlobStore({ dataDir: t.dir }),
      logger: createLogger('silent'),
    });
    const res = await prod.request('/api/extension/sessions', { headers: { authorization: 'Bearer test-key-dev' } });
    const body = await expectError(res, 401, 'authentication_failed');
    expect(body.error.message).toMatch(/development key is not accepted in production/);
  });
});

describe('admin authentication', () => {
  it('needs an admin JWT for admin routes; a worker key is forbidden', async () => {
    const { key } = await t.createWorker();
    await expectError(await t.request('/api/status'), 401, 'not_authenticated');
    await expectError(await t.request('/api/status', { bearer: key }), 403, 'forbidden');
    await expectError(await t.request('/api/workers', { bearer: key, json: { name: 'x' } }), 403, 'forbidden');
    const status = await t.request('/api/status', { bearer: await t.adminToken() });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({
      status: 'ok',
      database: 'pglite',
      connections: { open: 0 },
      counts: { workers: expect.any(Number) as unknown },
    });
  });

  it('refuses an expired token, a token signed with another secret and one without the admin role', async () => {
    const key = new TextEncoder().encode(TEST_JWT_SECRET);
    const base = () =>
      new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('codesight-sync-server')
        .setAudience('codesight-admin');
    const expired = await base().setIssuedAt(1000).setExpirationTime(2000).sign(key);
    const body = await expectError(
      await t.request('/api/debug/counts', { bearer: expired }),
      401,
      'authentication_failed',
    );
    expect(body.error.message).toBe('admin token expired');
    const foreign = await base()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another-1'));
    await expectError(await t.request('/api/debug/counts', { bearer: foreign }), 401, 'authentication_failed');
    const noAlg = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"role":"admin"}').toString('base64url')}.`;
    await expectError(await t.request('/api/debug/counts', { bearer: noAlg }), 401, 'authentication_failed');
  });

  it('validates the worker name and never answers 500 for bad input', async () => {
    const admin = await t.adminToken();
    await expectError(await t.request('/api/workers', { bearer: admin, json: { name: '' } }), 400, 'validation_failed');
    await expectError(await t.request('/api/workers', { bearer: admin, json: [1, 2] }), 400, 'validation_failed');
    await expectError(
      await t.request('/api/workers', {
        bearer: admin,
        body: '{"name":',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'invalid_json',
    );
  });

  it('lists workers with their keys but never the key or its hash', async () => {
    const { key } = await t.createWorker('Listed');
    const res = await t.request('/api/workers', { bearer: await t.adminToken() });
    const text = await res.text();
    expect(text).toContain('Listed');
    expect(text).not.toContain(key);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });
});

describe('cross-cutting HTTP behaviour', () => {
  it('answers unknown routes with a JSON 404 and sets secure headers and a request id', async () => {
    const res = await t.request('/api/nope');
    await expectError(res, 404, 'not_found');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
  });

  it('allows CORS for configured origins and any extension origin only', async () => {
    const app = createApp({
      settings: { ...t.settings, corsOrigins: ['https://admin.example'] },
      db: t.open.db,
      dbKind: 'pglite',
      blobs: t.blobs,
      logger: createLogger('silent'),
    });
    const preflight = (origin: string) =>
      app.request('/api/sessions', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    const ext = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
    expect((await preflight(ext)).headers.get('access-control-allow-origin')).toBe(ext);
    expect((await preflight('https://admin.example')).headers.get('access-control-allow-origin')).toBe(
      'https://admin.example',
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight('chrome-extension://not-an-id')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a body over MAX_BODY_BYTES with 413', async () => {
    const small = t.variant({ maxBodyBytes: 2048 });
    const { key } = await t.createWorker();
    const res = await small.request('/api/interactions', {
      bearer: key,
      json: { sessionId: 's1', data: { type: 'click', timestamp: 1, text: 'x'.repeat(4000) } },
    });
    await expectError(res, 413, 'payload_too_large');
    const fits = await small.request('/api/interactions', {
      bearer: key,
      json: { sessionId: 's1', data: { type: 'click', timestamp: 1, text: 'x'.repeat(100) } },
    });
    expect(fits.status).toBe(201);
  });

  it('holds legacy screenshots to the configured MAX_SCREENSHOTS_PER_SESSION (the setting reaches the handlers)', async () => {
    const limited = t.variant({ maxScreenshotsPerSession: 1 });
    const { key } = await t.createWorker();
    const post = (timestamp: number) =>
      limited.request('/api/sessions/cs_app_shot_limit/screenshots', {
        bearer: key,
        json: { image: TINY_PNG_DATA_URL, timestamp, trigger: 'click' },
      });
    expect((await post(1_752_327_000_000)).status).toBe(201);
    await expectError(await post(1_752_327_000_001), 413, 'payload_too_large');
  });

  it('rate-limits per key and per IP with 429 and Retry-After', async () => {
    const limited = t.variant({ rateLimitPerMinute: 3, rateLimitPerMinuteIp: 5 });
    {
      const { key } = await t.createWorker();
      for (let i = 0; i < 3; i++)
        expect((await limited.request('/api/sessions', { bearer: key, ip: '10.0.0.1' })).status).toBe(200);
      const refused = await limited.request('/api/sessions', { bearer: key, ip: '10.0.0.2' });
      await expectError(refused, 429, 'rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Per IP: unauthenticated requests from one address run out too (brute force of keys).
      for (let i = 0; i < 5; i++) expect((await limited.request('/health', { ip: '10.0.0.9' })).status).toBe(200);
      await expectError(await limited.request('/health', { ip: '10.0.0.9' }), 429, 'rate_limited');
      expect((await limited.request('/health', { ip: '10.0.0.10' })).status).toBe(200);
    }
  });

  it('charges an upload PUT to no address: the key that asked for its URL paid; an unknown id is a failed authentication', async () => {
    const limited = t.variant({ rateLimitPerMinuteIp: 1, rateLimitAuthFailuresPerMinuteIp: 2 });
    const { key } = await t.createWorker();
    const png = Buffer.from(TINY_PNG_DATA_URL.split(',')[1]!, 'base64');
    const announced = await limited.request('/api/upload/url', {
      bearer: key,
      ip: '10.0.3.1',
      json: {
        sha256: createHash('sha256').update(png).digest('hex'),
        bytes: png.byteLength,
        mime: 'image/png',
        sessionId: 'cs_app_upload_put',
        kind: 'screenshot',
        meta: { timestamp: 1_752_327_000_000, burstId: 'b1', burstIndex: 0, burstTotal: 1, trigger: 'click' },
      },
    });
    expect(announced.status).toBe(200);
    const { url } = (await announced.json()) as { url: string };
    const put = (path: string) =>
      limited.request(path, { method: 'PUT', ip: '10.0.3.1', body: png, headers: { 'content-type': 'image/png' } });
    // Three PUTs of a live upload from an address whose own budget is one request.
    for (let i = 0; i < 3; i++) expect((await put(new URL(url).pathname)).status).toBe(200);
    const unknown = `/api/upload/${crypto.randomUUID()}`;
    await expectError(await put(unknown), 404, 'not_found');
    await expectError(await put(unknown), 404, 'not_found');
    const refused = await put(new URL(url).pathname);
    await expectError(refused, 429, 'rate_limited');
    expect(refused.headers.get('retry-after')).toBe('30');
    // The address's budget for requests without a credential was never touched.
    expect((await limited.request('/health', { ip: '10.0.3.1' })).status).toBe(200);
    await expectError(await limited.request('/health', { ip: '10.0.3.1' }), 429, 'rate_limited');
  });

  it('logs one line per request without keys, tokens or bodies', async () => {
    const { key } = await t.createWorker();
    const token = await t.adminToken();
    await t.request('/api/interactions', {
      bearer: key,
      json: {
        sessionId: 'cs_log_1',
        data: { type: 'input', timestamp: 1_752_327_000_000, text: 'secret-typed-value' },
      },
    });
    await t.request('/api/status', { bearer: token });
    const lines = t.rawLogs.join('\n');
    expect(lines).not.toContain(key);
    expect(lines).not.toContain(token);
    expect(lines).not.toContain('secret-typed-value');
    const requests = t.logs.filter((l) => l.event === 'http_request' && l.path === '/api/interactions');
    expect(requests.at(-1)).toMatchObject({
      method: 'POST',
      status: 201,
      principal: expect.stringMatching(/^worker:/) as unknown,
    });
  });

  it('refuses a request for a host name it is not known by (DNS rebinding), the dev key notwithstanding', async () => {
    const rebound = await t.request('/api/extension/sessions', {
      bearer: 'test-key-dev',
      headers: { host: 'rebind.attacker.example:3000' },
    });
    const body = await expectError(rebound, 403, 'forbidden');
    expect(body.error.message).toContain('"rebind.attacker.example:3000" is not served here');
    expect(rebound.headers.get('x-request-id')).toMatch(/[0-9a-f-]{36}/);
    const loopback = await t.request('/api/extension/sessions', {
      bearer: 'test-key-dev',
      headers: { host: 'localhost:3000' },
    });
    expect(loopback.status).toBe(200);
  });

  it('refuses a WebSocket upgrade from a foreign page origin with 403 before upgrading', async () => {
    const upgrade = (origin: string) =>
      t.request('/ws', { headers: { upgrade: 'websocket', connection: 'Upgrade', origin } });
    const body = await expectError(await upgrade('https://evil.example'), 403, 'forbidden');
    expect(body.error.message).toContain('WebSocket origin "https://evil.example" is not allowed');
  });
});
