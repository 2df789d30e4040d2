import { sampleRecordedEvents } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toJsonb } from '../db/jsonb';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';
import { TINY_PNG_DATA_URL } from '../testing/test-images';
import { parseExposition } from './testing/parse-exposition';

let t: TestApp;
let admin: string;
let worker: { key: string };

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789abcdef';

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.adminToken();
  worker = await t.createWorker();
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

function batchBody(sessionId: string, count: number) {
  const events = sampleRecordedEvents(sessionId, count);
  return {
    type: 'batch',
    v: 1,
    batchId: `${sessionId}-1`,
    sessionId,
    session: {
      startTime: events[0]!.timestamp,
      userAgent: 'Chrome/156',
      extensionVersion: '0.1.0',
      maskingPolicy: { version: '1', rules: [] },
    },
    firstSequence: 1,
    lastSequence: count,
    events,
  };
}

/** The app or a variant of it. */
type Target = Pick<TestApp, 'request'>;

async function scrape(target: Target = t, bearer: string = admin) {
  const res = await target.request('/metrics', { bearer });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

describe('GET /metrics access', () => {
  it('refuses a request without a credential (401) and a worker key (403), as JSON', async () => {
    const none = await t.request('/metrics');
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: 'not_authenticated' } });
    const asWorker = await t.request('/metrics', { apiKey: worker.key });
    expect(asWorker.status).toBe(403);
    expect(await asWorker.json()).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('serves an admin, and a scraper with METRICS_TOKEN; a wrong token is a failed authentication', async () => {
    await scrape();
    const v = t.variant({ metricsToken: METRICS_TOKEN });
    await scrape(v, METRICS_TOKEN);
    const wrong = await v.request('/metrics', { bearer: METRICS_TOKEN.replace(/.$/, 'X') });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'authentication_failed' } });
    // Without METRICS_TOKEN set, the token is nobody's credential.
    expect((await t.request('/metrics', { bearer: METRICS_TOKEN })).status).toBe(401);
  });

  it('serves METRICS_ALLOW_FROM networks by TCP peer address, never by X-Forwarded-For', async () => {
    const v = t.variant({ metricsAllowFrom: ['10.0.0.0/8'], trustProxy: 1 });
    expect((await v.request('/metrics', { ip: '10.1.2.3' })).status).toBe(200);
    expect((await v.request('/metrics', { ip: '::ffff:10.9.9.9' })).status).toBe(200);
    expect((await v.request('/metrics', { ip: '192.168.1.1' })).status).toBe(401);
    const spoofed = await v.request('/metrics', { ip: '192.168.1.1', headers: { 'x-forwarded-for': '10.0.0.1' } });
    expect(spoofed.status).toBe(401);
    expect((await v.request('/metrics', { method: 'POST', ip: '10.1.2.3' })).status).toBe(404);
  });

  // Hole closed: with METRICS_ALLOW_FROM=loopback behind a reverse proxy on the same host, every request
  // the proxy forwarded arrived from loopback, so anyone on the internet could scrape /metrics.
  it('refuses a METRICS_ALLOW_FROM peer forwarding for a client outside the networks (a same-host proxy)', async () => {
    const v = t.variant({ metricsAllowFrom: ['127.0.0.0/8'], trustProxy: 1 });
    const viaProxy = await v.request('/metrics', { ip: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect(viaProxy.status).toBe(401);
    expect(await viaProxy.json()).toMatchObject({ error: { code: 'not_authenticated' } });
    // A scraper on the host itself, directly or through the proxy, is still served.
    expect((await v.request('/metrics', { ip: '127.0.0.1' })).status).toBe(200);
    const local = await v.request('/metrics', { ip: '127.0.0.1', headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(local.status).toBe(200);
    // No proxy trusted (TRUST_PROXY unset): a forwarded request cannot be told from the internet's.
    const untrusted = t.variant({ metricsAllowFrom: ['127.0.0.0/8'] });
    const forwarded = { ip: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.7' } };
    expect((await untrusted.request('/metrics', forwarded)).status).toBe(401);
    expect((await untrusted.request('/metrics', { ip: '127.0.0.1' })).status).toBe(200);
  });

  it('charges trusted scrapes to the address: a leaked token cannot make it render metrics in a loop', async () => {
    const v = t.variant({ metricsToken: METRICS_TOKEN, rateLimitPerMinuteIp: 2 });
    for (const status of [200, 200, 429]) {
      const res = await v.request('/metrics', { bearer: METRICS_TOKEN, ip: '198.51.100.9' });
      expect(res.status).toBe(status);
      if (status === 429) {
        expect(await res.json()).toMatchObject({ error: { code: 'rate_limited' } });
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    // The refused scrape is a rate-limit hit like any other.
    const m = await scrape(v);
    expect(m.value('codesight_rate_limit_hits_total', { limiter: 'address' })).toBe(1);
  });
});

describe('GET /metrics content', () => {
  it('is strict Prometheus text with the process and instance families', async () => {
    const m = await scrape();
    for (const [name, type] of [
      ['codesight_ingest_events_total', 'counter'],
      ['codesight_ingest_refusals_total', 'counter'],
      ['codesight_ingest_bytes_total', 'counter'],
      ['codesight_batch_ack_seconds', 'histogram'],
      ['codesight_rate_limit_hits_total', 'counter'],
      ['codesight_media_uploads_total', 'counter'],
      ['codesight_media_verification_failures_total', 'counter'],
      ['codesight_blob_store_errors_total', 'counter'],
      ['codesight_open_connections', 'gauge'],
      ['codesight_jobs', 'gauge'],
      ['codesight_jobs_oldest_due_age_seconds', 'gauge'],
      ['codesight_db_pool_max', 'gauge'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
    ] as const) {
      expect(m.types.get(name), name).toBe(type);
    }
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    // The scrape itself is the HTTP request in flight; the embedded database is one connection.
    expect(m.value('codesight_open_connections', { protocol: 'http' })).toBe(1);
    expect(m.value('codesight_open_connections', { protocol: 'ws_sync' })).toBe(0);
    expect(m.value('codesight_db_pool_max')).toBe(1);
    expect(m.find('codesight_db_pool_clients')).toEqual([]);
    expect(m.value('codesight_jobs_count_cap')).toBe(10_000);
    expect(m.value('codesight_jobs_oldest_due_age_seconds')).toBe(0);
  });

  it('counts stored events, body bytes, the batch ack time and refusals by code over HTTP', async () => {
    const v = t.variant({});
    const body = JSON.stringify(batchBody('cs_metrics_http', 5));
    const res = await v.request('/api/sync/batch', {
      apiKey: worker.key,
      body,
      headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    });
    expect(await res.json()).toMatchObject({ type: 'batch_ack', inserted: 5 });
    const refused = await v.request('/api/sync/batch', { apiKey: worker.key, json: { type: 'batch' } });
    expect(refused.status).toBe(400);

    const m = await scrape(v);
    expect(m.value('codesight_ingest_events_total')).toBe(5);
    expect(m.value('codesight_ingest_refusals_total', { code: 'validation_failed' })).toBe(1);
    expect(m.value('codesight_ingest_bytes_total', { transport: 'http' })).toBeGreaterThanOrEqual(body.length);
    expect(m.value('codesight_batch_ack_seconds_count', { transport: 'http' })).toBe(2);
    expect(m.value('codesight_batch_ack_seconds_bucket', { transport: 'http', le: '+Inf' })).toBe(2);
    // The console's counters are the same ones, not a second count.
    const overview = await v.request('/api/admin/console/overview', { bearer: admin });
    expect(await overview.json()).toMatchObject({
      ingest: { storedTotal: 5, refusals: { validation_failed: 1 } },
    });
  });

  it('counts legacy inline screenshots as media uploads, a resend once', async () => {
    const v = t.variant({});
    const started = await v.request('/api/sessions', {
      apiKey: worker.key,
      json: { sessionId: 'cs_metrics_shot', startTime: Date.now(), url: 'https://shop.example/' },
    });
    expect(started.status).toBeLessThan(300);
    const shot = { image: TINY_PNG_DATA_URL, timestamp: Date.now(), trigger: 'click' };
    for (const status of [201, 200]) {
      const res = await v.request('/api/sessions/cs_metrics_shot/screenshots', { apiKey: worker.key, json: shot });
      expect(res.status).toBe(status);
    }
    const m = await scrape(v);
    expect(m.value('codesight_media_uploads_total', { kind: 'screenshot' })).toBe(1);
  });

  it('counts rate-limit hits by limiter', async () => {
    const v = t.variant({ rateLimitPerMinuteIp: 1 });
    expect((await v.request('/health', { ip: '203.0.113.7' })).status).toBe(200);
    expect((await v.request('/health', { ip: '203.0.113.7' })).status).toBe(429);
    const m = await scrape(v);
    expect(m.value('codesight_rate_limit_hits_total', { limiter: 'address' })).toBe(1);
  });

  it('reads the job queue depth by state and kind', async () => {
    const now = Date.now();
    await t.open.db
      .insertInto('jobs')
      .values(
        ['a', 'b', 'c'].map((id, i) => ({
          id: `00000000-0000-4000-8000-00000000000${i}`,
          kind: 'session-archive',
          payload: toJsonb({ id }),
          state: 'queued' as const,
          max_attempts: 3,
          // Two are due (one waited a minute), one is not yet.
          run_at: new Date(i === 2 ? now + 3_600_000 : now - 60_000),
          created_at: new Date(now - 60_000),
          updated_at: new Date(now - 60_000),
        })),
      )
      .execute();
    const m = await scrape(t.variant({}));
    expect(m.value('codesight_jobs', { state: 'queued', kind: 'session-archive' })).toBe(3);
    expect(m.value('codesight_jobs_oldest_due_age_seconds')).toBeGreaterThanOrEqual(60);
    expect(m.value('codesight_jobs_oldest_due_age_seconds')).toBeLessThan(3600);
  });
});
