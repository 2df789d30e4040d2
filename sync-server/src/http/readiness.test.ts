import { HttpErrorBodySchema, validate } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { createLogger } from '../log';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';
import type { Readiness } from './readiness';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

/** The app as main wires it: readiness from a variable main changes as it migrates, serves and drains. */
function appIn(state: { readiness: Readiness }) {
  const app = createApp({
    settings: t.settings,
    db: t.open.db,
    dbKind: t.open.kind,
    blobs: t.blobs,
    logger: createLogger('silent'),
    readiness: () => state.readiness,
  });
  const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
  return (path: string, headers: Record<string, string> = {}) => Promise.resolve(app.request(path, { headers }, env));
}

describe('readiness', () => {
  it('/health/ready is 503 while starting and draining, 200 while ready; /health stays 200 throughout', async () => {
    const state = { readiness: 'starting' as Readiness };
    const request = appIn(state);
    for (const [readiness, status] of [
      ['starting', 503],
      ['ready', 200],
      ['draining', 503],
    ] as const) {
      state.readiness = readiness;
      const ready = await request('/health/ready');
      expect(ready.status).toBe(status);
      const body = (await ready.json()) as { status: string; error?: { code: string } };
      expect(body.status).toBe(readiness);
      if (status === 503) {
        expect(body.error?.code).toBe('unavailable');
        expect(ready.headers.get('retry-after')).toBe('5');
      }
      expect((await request('/health')).status).toBe(200);
    }
  });

  it('while starting, every other route is refused with a JSON 503 before credentials are looked up', async () => {
    const state = { readiness: 'starting' as Readiness };
    const request = appIn(state);
    const { key } = await t.createWorker();
    for (const path of ['/api/health', '/api/extension/check', '/api/admin/workers', '/metrics', '/admin/']) {
      const res = await request(path, { 'x-api-key': key });
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after'), path).toBe('5');
      const body: unknown = await res.json();
      expect(validate(HttpErrorBodySchema, body).ok, path).toBe(true);
    }
    state.readiness = 'ready';
    expect((await request('/api/health')).status).toBe(200);
    // Draining still serves requests already on their way (keep-alive connections finish their work).
    state.readiness = 'draining';
    expect((await request('/api/health')).status).toBe(200);
  });

  it('without a readiness function (tests, tools) the app is ready, and draining once isShuttingDown', async () => {
    let shuttingDown = false;
    const app = createApp({
      settings: t.settings,
      db: t.open.db,
      dbKind: t.open.kind,
      blobs: t.blobs,
      logger: createLogger('silent'),
      isShuttingDown: () => shuttingDown,
    });
    expect((await app.request('/health/ready')).status).toBe(200);
    shuttingDown = true;
    const draining = await app.request('/health/ready');
    expect(draining.status).toBe(503);
    expect(((await draining.json()) as { status: string }).status).toBe('draining');
  });
});
