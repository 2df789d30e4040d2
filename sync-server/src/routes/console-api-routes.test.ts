import { sampleRecordedEvents } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';
import { TINY_PNG_BASE64, TINY_PNG_DATA_URL } from '../testing/test-images';

let t: TestApp;
let admin: string;
let alice: { workerId: string; key: string };
let bob: { workerId: string; key: string };

const DAY = 86_400_000;
// Long before the test runs, so only the session stored with Date.now() starts "today".
const T0 = Date.UTC(2025, 0, 10, 10);

async function batch(key: string, sessionId: string, startTime: number, first: number, last: number, end?: number) {
  const events = sampleRecordedEvents(sessionId, last - first + 1, first);
  const res = await t.request('/api/sync/batch', {
    apiKey: key,
    json: {
      type: 'batch',
      v: 1,
      batchId: `${sessionId}-${first}`,
      sessionId,
      session: {
        startTime,
        userAgent: 'Chrome/156',
        extensionVersion: '0.1.0',
        maskingPolicy: { version: '1', rules: ['email'] },
      },
      firstSequence: first,
      lastSequence: last,
      events,
    },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  if (end !== undefined) {
    const close = await t.request('/api/sync/session-close', {
      apiKey: key,
      json: { sessionId, finalCount: end, endTime: startTime + 60_000 },
    });
    expect(close.status, await close.clone().text()).toBe(200);
  }
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.adminToken();
  alice = await t.createWorker('Alice');
  bob = await t.createWorker('Bob');
  // Three of Alice's on three days (one complete, one with a gap, one open), one of Bob's.
  await batch(alice.key, 'cs_a1', T0, 1, 10, 10);
  await batch(alice.key, 'cs_a2', T0 + DAY, 1, 5);
  await batch(alice.key, 'cs_a2', T0 + DAY, 9, 12, 14);
  await batch(alice.key, 'cs_a3', T0 + 2 * DAY, 1, 3);
  await batch(bob.key, 'cs_b1', T0 + DAY / 2, 1, 4, 4);
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

const list = async (query: string) => {
  const res = await t.request(`/api/admin/console/sessions?${query}`, { bearer: admin });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    sessions: { sessionId: string; status: string; missing: number | null }[];
    nextCursor: string | null;
  };
};

describe('GET /api/admin/console/sessions', () => {
  it('lists newest start first and pages on (start_time, id) without repeats', async () => {
    const first = await list('limit=2');
    expect(first.sessions.map((s) => s.sessionId)).toEqual(['cs_a3', 'cs_a2']);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`limit=2&cursor=${first.nextCursor}`);
    expect(second.sessions.map((s) => s.sessionId)).toEqual(['cs_b1', 'cs_a1']);
    expect(second.nextCursor).toBeNull();
  });

  it('filters by worker, date range, status and host', async () => {
    expect((await list(`workerId=${bob.workerId}`)).sessions.map((s) => s.sessionId)).toEqual(['cs_b1']);
    const day2 = new Date(T0 + DAY).toISOString().slice(0, 10);
    const day3 = new Date(T0 + 2 * DAY).toISOString().slice(0, 10);
    expect((await list(`from=${day2}&to=${day3}`)).sessions.map((s) => s.sessionId)).toEqual(['cs_a2']);
    const incomplete = await list('status=incomplete');
    expect(incomplete.sessions.map((s) => [s.sessionId, s.missing])).toEqual([['cs_a2', 5]]);
    expect((await list('status=complete')).sessions.map((s) => s.sessionId)).toEqual(['cs_b1', 'cs_a1']);
    expect((await list('host=nowhere.example')).sessions).toEqual([]);
    expect((await list('hasNarration=true')).sessions).toEqual([]);
    expect((await list('hasNarration=false')).sessions).toHaveLength(4);
  });

  it('refuses a bad filter or cursor with a readable 400, and answers nothing without admin rights', async () => {
    for (const query of ['status=done', 'from=yesterday', 'cursor=xyz', 'hasNarration=maybe']) {
      const res = await t.request(`/api/admin/console/sessions?${query}`, { bearer: admin });
      expect(res.status, query).toBe(400);
    }
    expect((await t.request('/api/admin/console/sessions', { apiKey: alice.key })).status).toBe(403);
    expect((await t.request('/api/admin/console/sessions')).status).toBe(401);
  });
});

describe('GET /api/admin/console/sessions/:id', () => {
  it('gives the timeline and names the sequence gaps, up to the final count', async () => {
    const res = await t.request('/api/admin/console/sessions/cs_a2', { bearer: admin });
    expect(res.status).toBe(200);
    const detail = (await res.json()) as {
      actions: unknown[];
      quality: { sequenceGaps: { from: number; to: number }[]; missingScreenshots: number };
      narration: unknown;
    };
    expect(detail.actions.length).toBeGreaterThan(0);
    expect(detail.quality.sequenceGaps).toEqual([
      { from: 6, to: 8 },
      { from: 13, to: 14 },
    ]);
    expect(detail.quality.missingScreenshots).toBe(0);
    expect(detail.narration).toBeNull();
    expect((await t.request('/api/admin/console/sessions/nope', { bearer: admin })).status).toBe(404);
  });
});

describe('GET /api/admin/console/sessions/:id/screenshots/:shotId', () => {
  it("serves a session's verified screenshot through the server, and nothing else", async () => {
    const stored = await t.request('/api/sessions/cs_a1/screenshots', {
      apiKey: alice.key,
      json: { dataUrl: TINY_PNG_DATA_URL, trigger: 'click', timestamp: T0 + 1000 },
    });
    expect(stored.status, await stored.clone().text()).toBe(201);
    const { screenshotId } = (await stored.json()) as { screenshotId: string };
    const res = await t.request(`/api/admin/console/sessions/cs_a1/screenshots/${screenshotId}`, { bearer: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(TINY_PNG_BASE64, 'base64'));
    for (const path of [
      `cs_a2/screenshots/${screenshotId}`,
      'cs_a1/screenshots/nope',
      `nope/screenshots/${screenshotId}`,
    ]) {
      expect((await t.request(`/api/admin/console/sessions/${path}`, { bearer: admin })).status, path).toBe(404);
    }
    const asWorker = await t.request(`/api/admin/console/sessions/cs_a1/screenshots/${screenshotId}`, {
      apiKey: alice.key,
    });
    expect(asWorker.status).toBe(403);
  });
});

describe('quality: missing media', () => {
  it('counts the frames a burst announced but never sent', async () => {
    const stored = await t.request('/api/sessions/cs_a3/screenshots', {
      apiKey: alice.key,
      json: { dataUrl: TINY_PNG_DATA_URL, burstId: 'burst-1', burstIndex: 0, burstTotal: 3, timestamp: T0 + 2 * DAY },
    });
    expect(stored.status, await stored.clone().text()).toBe(201);
    const res = await t.request('/api/admin/console/sessions/cs_a3', { bearer: admin });
    const detail = (await res.json()) as { quality: { missingScreenshots: number; missingAudioChunks: number } };
    expect(detail.quality).toMatchObject({ missingScreenshots: 2, missingAudioChunks: 0 });
  });
});

describe('GET /api/admin/console/overview', () => {
  it('counts stored events per second and ingest refusals by code on this instance', async () => {
    const refused = await t.request('/api/sync/batch', { apiKey: alice.key, json: { sessionId: 'cs_x' } });
    expect(refused.status).toBe(400);
    await batch(alice.key, 'cs_a4', Date.now(), 1, 6);
    const res = await t.request('/api/admin/console/overview', { bearer: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      ingest: { storedPerSecond: number[]; storedTotal: number; refusals: Record<string, number> };
      sessionsToday: number;
      connections: { open: number };
      databaseBytes: number | null;
    };
    expect(body.ingest.storedTotal).toBe(10 + 5 + 4 + 3 + 4 + 6);
    expect(body.ingest.storedPerSecond).toHaveLength(60);
    expect(body.ingest.refusals.validation_failed).toBe(1);
    expect(body.sessionsToday).toBe(1);
    expect(body.connections.open).toBe(0);
    expect(body.databaseBytes === null || body.databaseBytes > 0).toBe(true);
  });
});

describe('GET /api/admin/console/workers/session-counts', () => {
  it('counts sessions per worker', async () => {
    const res = await t.request('/api/admin/console/workers/session-counts', { bearer: admin });
    const body = (await res.json()) as { sessions: Record<string, number> };
    expect(body.sessions[alice.workerId]).toBeGreaterThanOrEqual(3);
    expect(body.sessions[bob.workerId]).toBe(1);
  });
});

describe('POST /api/workers/:id/disable and /enable', () => {
  it('disables a worker (its key stops working) and enables it again', async () => {
    const carol = await t.createWorker('Carol');
    const off = await t.request(`/api/workers/${carol.workerId}/disable`, { bearer: admin, method: 'POST' });
    expect(off.status).toBe(200);
    expect(((await off.json()) as { disabledAt: string | null }).disabledAt).not.toBeNull();
    expect((await t.request('/api/sessions', { apiKey: carol.key })).status).toBe(401);
    const on = await t.request(`/api/workers/${carol.workerId}/enable`, { bearer: admin, method: 'POST' });
    expect(((await on.json()) as { disabledAt: string | null }).disabledAt).toBeNull();
    expect((await t.request('/api/sessions', { apiKey: carol.key })).status).toBe(200);
    expect((await t.request('/api/workers/nobody/disable', { bearer: admin, method: 'POST' })).status).toBe(404);
  });
});
