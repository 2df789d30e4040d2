import { createHash } from 'node:crypto';
import { LegacySessionExportSchema, TrainingDataSchema, validate } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY_PNG_BASE64, TINY_PNG_DATA_URL } from '../testing/test-images';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../testing/app-harness';

let t: TestApp;
let alice: { workerId: string; key: string };
let bob: { workerId: string; key: string };
beforeAll(async () => {
  t = await createTestApp();
  alice = await t.createWorker('Alice');
  bob = await t.createWorker('Bob');
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

const T0 = 1_752_327_000_000;
const click = (i: number, extra: Record<string, unknown> = {}) => ({
  type: 'click',
  timestamp: T0 + i * 1000,
  url: 'https://shop.example/product?id=3',
  selector: '#add-to-cart',
  element: 'button',
  text: 'Add to cart',
  coordinates: { x: 450, y: 200 },
  ...extra,
});

describe('legacy REST session management', () => {
  it('creates a session, stores one interaction and an array, and lists it', async () => {
    const start = await t.request('/api/sessions', {
      bearer: alice.key,
      json: {
        sessionId: 'cs_rest_1',
        startTime: T0,
        url: 'https://shop.example/',
        userAgent: 'Chrome/156',
        campaign: 'mugs',
      },
    });
    expect(start.status).toBe(201);
    expect(await start.json()).toEqual({
      type: 'ack',
      for: 'session_start',
      sessionId: 'cs_rest_1',
      stored: 1,
      status: 'active',
    });
    const again = await t.request('/api/sessions', { bearer: alice.key, json: { sessionId: 'cs_rest_1' } });
    expect(again.status).toBe(200);

    const one = await t.request('/api/interactions', {
      bearer: alice.key,
      json: { sessionId: 'cs_rest_1', data: click(1) },
    });
    expect(await one.json()).toMatchObject({ for: 'interaction_data', stored: 1, sequences: [1] });
    const many = await t.request('/api/interactions', {
      bearer: alice.key,
      json: {
        sessionId: 'cs_rest_1',
        interactions: [click(2), { type: 'scroll', timestamp: T0 + 3000, url: 'https://shop.example/cart' }],
      },
    });
    expect(await many.json()).toMatchObject({ stored: 2, duplicates: 0, sequences: [2, 3] });

    const list = (await (await t.request('/api/sessions', { bearer: alice.key })).json()) as {
      sessions: Record<string, unknown>[];
      nextCursor: string | null;
    };
    expect(list.nextCursor).toBeNull();
    expect(list.sessions).toEqual([
      expect.objectContaining({
        sessionId: 'cs_rest_1',
        workerId: alice.workerId,
        status: 'active',
        totalEvents: 3,
        ackedThrough: 3,
        pagesVisited: ['shop.example'],
      }),
    ]);
  });

  it('stores a screenshot posted as a data URL in the blob store, content-addressed', async () => {
    const res = await t.request('/api/sessions/cs_rest_1/screenshots', {
      bearer: alice.key,
      json: { image: TINY_PNG_DATA_URL, timestamp: T0 + 1500, trigger: 'click' },
    });
    expect(res.status).toBe(201);
    const ack = (await res.json()) as { screenshotId: string };
    const row = await t.open.db
      .selectFrom('screenshots')
      .selectAll()
      .where('id', '=', ack.screenshotId)
      .executeTakeFirstOrThrow();
    const sha = createHash('sha256').update(Buffer.from(TINY_PNG_BASE64, 'base64')).digest('hex');
    expect(row).toMatchObject({
      session_id: 'cs_rest_1',
      sha256: sha,
      mime: 'image/png',
      width: 2,
      height: 2,
      trigger: 'click',
    });
    expect(Buffer.from((await t.blobs.get(row.blob_key))!).toString('base64')).toBe(TINY_PNG_BASE64);
    // A resend records nothing new.
    const resend = await t.request('/api/sessions/cs_rest_1/screenshots', {
      bearer: alice.key,
      json: { image: TINY_PNG_DATA_URL, timestamp: T0 + 1500, trigger: 'click' },
    });
    expect(resend.status).toBe(200);
    expect(await resend.json()).toMatchObject({ stored: 0, screenshotId: ack.screenshotId });
    // The worker may fetch the blob it owns; another worker may not.
    const own = await t.request(`/api/blobs/${row.blob_key}`, { bearer: alice.key });
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await own.arrayBuffer()).toString('base64')).toBe(TINY_PNG_BASE64);
    // Another worker's blob answers like a blob that does not exist.
    const foreign = await t.request(`/api/blobs/${row.blob_key}`, { bearer: bob.key });
    const missing = await t.request(`/api/blobs/${row.blob_key.replace(/\.png$/, '.gif')}`, { bearer: bob.key });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).toBe(await missing.text());
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await t.request('/api/blobs/..%2F..%2Fetc%2Fpasswd', { bearer: alice.key })).status).toBe(400);
    expect((await t.request('/api/blobs/%E0%A4%A', { bearer: alice.key })).status).toBe(400);
    expect((await t.request('/api/extension/sessions/%E0%A4%A/data', { bearer: alice.key })).status).toBe(400);
  });

  it('refuses bad input with 4xx and the error body, never a 500', async () => {
    const cases: [string, Record<string, unknown> | string, number, string][] = [
      [
        '/api/interactions',
        { sessionId: 'cs_rest_1', data: { ...click(9), type: 'keylogger' } },
        400,
        'validation_failed',
      ],
      ['/api/interactions', { sessionId: "x'; drop table sessions; --", data: click(9) }, 400, 'validation_failed'],
      ['/api/interactions', { sessionId: 'cs_rest_1', data: [] }, 400, 'validation_failed'],
      ['/api/interactions', '{not json', 400, 'invalid_json'],
      ['/api/sessions', { sessionId: 42 }, 400, 'validation_failed'],
      [
        '/api/sessions/cs_rest_1/screenshots',
        { image: 'data:text/html;base64,PHNjcmlwdD4=' },
        400,
        'validation_failed',
      ],
      ['/api/sessions/bad%20id/screenshots', { image: TINY_PNG_DATA_URL }, 400, 'validation_failed'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await t.request(
        path,
        typeof body === 'string'
          ? { bearer: alice.key, body, headers: { 'content-type': 'application/json' } }
          : { bearer: alice.key, json: body },
      );
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('stores SQL-looking and hostile strings verbatim', async () => {
    const hostile = 'Robert\'); DROP TABLE interactions;-- " \\ %_ \u0000 ${x} <script>';
    const res = await t.request('/api/interactions', {
      bearer: alice.key,
      json: { sessionId: 'cs_sql', data: click(1, { text: hostile, selector: "a[href='x' OR 1=1]" }) },
    });
    expect(res.status).toBe(201);
    const row = await t.open.db
      .selectFrom('interactions')
      .select(['selector', 'data'])
      .where('session_id', '=', 'cs_sql')
      .executeTakeFirstOrThrow();
    expect(row.selector).toBe("a[href='x' OR 1=1]");
    // NUL cannot be stored by PostgreSQL: it becomes U+FFFD, everything else is kept exactly.
    expect(row.data.text).toBe(hostile.replace('\u0000', '\ufffd'));
    const data = (await (await t.request('/api/extension/sessions/cs_sql/data', { bearer: alice.key })).json()) as {
      events: { data: { text: string } }[];
    };
    expect(data.events[0]!.data.text).toBe(hostile.replace('\u0000', '\ufffd'));
    expect((await t.open.db.selectFrom('interactions').select('id').execute()).length).toBeGreaterThan(0);
  });
});

describe('cross-worker access', () => {
  it("refuses writes to another worker's session with forbidden, and answers reads like for an unknown session", async () => {
    const write = await t.request('/api/interactions', {
      bearer: bob.key,
      json: { sessionId: 'cs_rest_1', data: click(50) },
    });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    expect((await t.request('/api/sessions', { bearer: bob.key, json: { sessionId: 'cs_rest_1' } })).status).toBe(403);
    expect(
      (await t.request('/api/sessions/cs_rest_1/screenshots', { bearer: bob.key, json: { image: TINY_PNG_DATA_URL } }))
        .status,
    ).toBe(403);
    for (const route of ['data', 'training-data']) {
      const foreign = await t.request(`/api/extension/sessions/cs_rest_1/${route}`, { bearer: bob.key });
      const unknown = await t.request(`/api/extension/sessions/cs_missing/${route}`, { bearer: bob.key });
      expect(foreign.status, route).toBe(404);
      expect(await foreign.text(), route).toBe(await unknown.text());
    }
    const bobs = (await (await t.request('/api/extension/sessions', { bearer: bob.key })).json()) as {
      sessions: unknown[];
    };
    expect(bobs.sessions).toEqual([]);
    expect((await t.request('/api/extension/sessions/cs_missing/data', { bearer: bob.key })).status).toBe(404);
  });

  it('lets an admin read every session and filter by worker', async () => {
    const admin = await t.adminToken();
    const all = (await (await t.request('/api/extension/sessions', { bearer: admin })).json()) as {
      sessions: { sessionId: string }[];
    };
    expect(all.sessions.map((s) => s.sessionId)).toEqual(expect.arrayContaining(['cs_rest_1', 'cs_sql']));
    const none = (await (
      await t.request(`/api/extension/sessions?workerId=${bob.workerId}`, { bearer: admin })
    ).json()) as { sessions: unknown[] };
    expect(none.sessions).toEqual([]);
    expect((await t.request('/api/extension/sessions/cs_rest_1/data', { bearer: admin })).status).toBe(200);
    const recent = (await (await t.request('/api/admin/recent?limit=1', { bearer: admin })).json()) as {
      sessions: unknown[];
    };
    expect(recent.sessions).toHaveLength(1);
    const counts = (await (await t.request('/api/debug/counts', { bearer: admin })).json()) as Record<string, number>;
    expect(counts).toMatchObject({
      sessions: expect.any(Number) as unknown,
      interactions: expect.any(Number) as unknown,
      screenshots: 1,
    });
  });

  it('refuses admin tokens on write routes (admins read, workers write)', async () => {
    const res = await t.request('/api/interactions', {
      bearer: await t.adminToken(),
      json: { sessionId: 'cs_admin', data: click(1) },
    });
    expect(res.status).toBe(403);
  });
});

describe('session exports', () => {
  it('returns the legacy session JSON and the training data, valid against their schemas', async () => {
    await t.request('/api/sessions', {
      bearer: alice.key,
      json: { sessionId: 'cs_export', startTime: T0, url: 'https://shop.example/' },
    });
    await t.request('/api/interactions', {
      bearer: alice.key,
      json: {
        sessionId: 'cs_export',
        data: [
          click(1),
          {
            type: 'input',
            timestamp: T0 + 2000,
            url: 'https://shop.example/checkout',
            selector: '#email',
            text: '[masked:email:13-32]',
          },
          { type: 'navigation', timestamp: T0 + 3000, url: 'https://shop.example/cart' },
        ],
      },
    });
    const data = await t.request('/api/extension/sessions/cs_export/data', { bearer: alice.key });
    expect(data.status).toBe(200);
    const legacy: unknown = await data.json();
    const checked = validate(LegacySessionExportSchema, legacy);
    expect(checked.ok, checked.ok ? '' : checked.error.message).toBe(true);
    expect(legacy).toMatchObject({
      sessionId: 'cs_export',
      startTime: new Date(T0).toISOString(),
      endTime: null,
      totalEvents: 3,
      events: [
        {
          type: 'click',
          data: {
            selector: '#add-to-cart',
            element: 'button',
            text: 'Add to cart',
            coordinates: { x: 450, y: 200 },
            timestamp: T0 + 1000,
          },
        },
        { type: 'input', data: { selector: '#email', text: '[masked:email:13-32]' } },
        { type: 'navigation', data: { url: 'https://shop.example/cart' } },
      ],
      summary: { clicks: 1, inputs: 1, navigations: 1, pagesVisited: ['shop.example'] },
    });

    const training = await t.request('/api/extension/sessions/cs_export/training-data', { bearer: alice.key });
    const td: unknown = await training.json();
    expect(validate(TrainingDataSchema, td).ok).toBe(true);
    expect(td).toMatchObject({
      video_path: null,
      audio_path: null,
      annotations: [
        {
          action_type: 'click',
          target_selector: '#add-to-cart',
          coordinates: [450, 200],
          element_text: 'Add to cart',
          page_url: 'https://shop.example/product?id=3',
        },
        { action_type: 'input', target_selector: '#email' },
        { action_type: 'navigation', page_url: 'https://shop.example/cart' },
      ],
    });
  });

  it('streams a long session (more than one page of events) as valid JSON', async () => {
    const total = 5300;
    const batch = Array.from({ length: total }, (_, i) => click(i, { sequence: i + 1 }));
    for (let i = 0; i < total; i += 2000) {
      const res = await t.request('/api/interactions', {
        bearer: alice.key,
        json: { sessionId: 'cs_long', data: batch.slice(i, i + 2000) },
      });
      expect(res.status).toBe(201);
    }
    const res = await t.request('/api/extension/sessions/cs_long/data', { bearer: alice.key });
    const legacy = (await res.json()) as {
      totalEvents: number;
      events: { data: { sequence: number } }[];
      summary: { clicks: number };
    };
    expect(validate(LegacySessionExportSchema, legacy).ok).toBe(true);
    expect(legacy.totalEvents).toBe(total);
    expect(legacy.events).toHaveLength(total);
    expect(legacy.events.at(-1)!.data.sequence).toBe(total);
    expect(legacy.summary.clicks).toBe(total);
    const training = (await (
      await t.request('/api/extension/sessions/cs_long/training-data', { bearer: alice.key })
    ).json()) as { annotations: unknown[] };
    expect(validate(TrainingDataSchema, training).ok).toBe(true);
    expect(training.annotations).toHaveLength(total);
  });

  it('paginates listings with an opaque cursor and bounds the page size', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/extension/sessions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = (await (await t.request(url, { bearer: alice.key })).json()) as {
        sessions: { sessionId: string }[];
        nextCursor: string | null;
      };
      expect(page.sessions.length).toBeLessThanOrEqual(2);
      seen.push(...page.sessions.map((s) => s.sessionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['cs_rest_1', 'cs_sql', 'cs_export', 'cs_long']));
    expect((await t.request('/api/extension/sessions?limit=201', { bearer: alice.key })).status).toBe(400);
    expect((await t.request('/api/extension/sessions?limit=0', { bearer: alice.key })).status).toBe(400);
    expect((await t.request('/api/extension/sessions?cursor=garbage', { bearer: alice.key })).status).toBe(400);
  });
});
