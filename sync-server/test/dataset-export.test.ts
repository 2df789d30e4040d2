import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildActions,
  DATASET_FORMAT,
  DatasetLineSchema,
  validate,
  type CapturedEvent,
  type DatasetLine,
  type RecordedEvent,
} from '@codesight/schema';
import { sampleTarget } from '@codesight/schema/testing';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDataset } from '../../scripts/exports/dataset';
import { createApp } from '../src/app';
import { createWorkerWithKey } from '../src/auth/api-keys';
import { signAdminToken } from '../src/auth/admin-token';
import { blobKeyFor } from '../src/blobs/blob-key';
import { createFsBlobStore } from '../src/blobs/fs-blob-store';
import type { AppEnv } from '../src/http/app-env';
import { recordAudioChunk, recordScreenshot, storeBatch } from '../src/ingest';
import { createLogger } from '../src/log';
import { testSettings } from '../src/testing/test-settings';
import { batchOf, startTestDatabase, unwrap, type TestDatabase } from './testing/db-fixtures';

/**
 * Issue 13: the JSONL dataset on a real PostgreSQL, the app in-process. A session is ingested through
 * the batch endpoint (so the event schema's `neighbourhoodHtml` survives validation and the jsonb
 * `data` column), its screenshots and narration recorded, and the JSONL read back: one valid line per
 * action, media aligned, no planted secret.
 */

const SECRET = 'dataset-export-secret-dataset-export-secret';
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const SESSION = 'ds_export_alice_1';
// Planted where no line may take them from: a page title, a heading, another worker's session.
const TITLE_SECRET = 'Order for Marguerite Planted';
const HEADING_SECRET = 'Deliver to 12 Secret Lane';
const OTHER_SECRET = 'bob-typed-Hunter2-Sup3rSecret!';
const SNIPPET = '<li class="product-card"><h3>Wool socks</h3><button id="add" data-cs-target>Add to cart</button></li>';

let pg: TestDatabase;
let dir: string;
let app: Hono<AppEnv>;
let adminToken: string;
let alice: { workerId: string; key: string };
let bob: { workerId: string; key: string };
let carol: { workerId: string; key: string };
let aliceEvents: RecordedEvent[];

const viewport = { width: 1280, height: 800, devicePixelRatio: 1 };
const modifiers = { alt: false, ctrl: false, meta: false, shift: false };
const page = { url: 'https://shop.example/product?id=3', title: TITLE_SECRET };
const context = { heading: HEADING_SECRET };
const field = sampleTarget({
  tag: 'input',
  id: 'password',
  type: 'password',
  text: undefined,
  selectors: { css: '#password', xpath: '//*[@id="password"]' },
});

function shoppingEvents(): CapturedEvent[] {
  const at = (ms: number) => T0 + ms;
  return [
    { type: 'navigation', ...page, timestamp: at(0), navigationType: 'load' },
    {
      type: 'scroll',
      ...page,
      timestamp: at(1000),
      scrollX: 0,
      scrollY: 600,
      scrollWidth: 1280,
      scrollHeight: 4000,
      viewport,
    },
    {
      type: 'click',
      ...page,
      timestamp: at(3000),
      coordinates: { x: 40, y: 30 },
      pageX: 40,
      pageY: 630,
      offsetX: 5,
      offsetY: 5,
      viewport,
      modifiers,
      button: 0,
      isVisible: true,
      target: sampleTarget(),
      context,
      elementAnalysis: {
        isInteractive: true,
        isDisabled: false,
        isEditable: false,
        isInShadowDom: false,
        isInIframe: false,
      },
      neighbourhoodHtml: SNIPPET,
    },
    ...[5000, 6000, 7000].map((ms): CapturedEvent => ({
      type: 'input',
      ...page,
      timestamp: at(ms),
      target: field,
      context,
      mask: { rule: 'password', lengthClass: '13-32' },
      neighbourhoodHtml: '<form><input id="password" type="password" data-cs-target></form>',
    })),
    {
      type: 'select',
      ...page,
      timestamp: at(9000),
      target: sampleTarget({ tag: 'select', id: 'qty', selectors: { css: '#qty', xpath: '//*[@id="qty"]' } }),
      context,
      value: '2',
      selectedText: 'Two',
    },
    {
      type: 'submit',
      ...page,
      timestamp: at(12_000),
      target: sampleTarget({ tag: 'form', id: 'checkout', selectors: { css: '#checkout', xpath: '//form' } }),
      context,
      neighbourhoodHtml: '<form id="checkout" data-cs-target></form>',
    },
    { type: 'navigation', ...page, url: 'https://shop.example/thanks', timestamp: at(13_000), navigationType: 'load' },
    { type: 'visibility', ...page, timestamp: at(14_000), state: 'hidden' },
  ];
}

const recorded = (sessionId: string, events: CapturedEvent[], t = 0): RecordedEvent[] =>
  events.map((e, i) => ({ ...e, timestamp: e.timestamp + t, sessionId, sequence: i + 1 }));

const blob = (mime: string) => {
  const bytes = new TextEncoder().encode(`${mime} bytes`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { key: blobKeyFor(sha256, mime), sha256, bytes: bytes.byteLength, mime };
};

async function postBatch(key: string, events: RecordedEvent[]): Promise<Response> {
  return app.request('/api/sync/batch', {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({
      ...batchOf(events),
      session: {
        startTime: events[0]!.timestamp,
        userAgent: 'Mozilla/5.0 dataset-test',
        extensionVersion: '9.9.9',
        maskingPolicy: { version: 'capture-1', rules: ['password'] },
      },
    }),
  });
}

async function getJsonl(
  path: string,
  token = adminToken,
): Promise<{ res: Response; text: string; lines: DatasetLine[] }> {
  const res = await app.request(path, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  const lines =
    res.status === 200
      ? text
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as DatasetLine)
      : [];
  return { res, text, lines };
}

function expectValid(lines: DatasetLine[]): void {
  for (const line of lines) {
    const checked = validate(DatasetLineSchema, line);
    expect(checked.ok, checked.ok ? '' : `step ${line.step}: ${checked.error.message}`).toBe(true);
  }
}

beforeAll(async () => {
  pg = await startTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'dataset-export-'));
  const settings = testSettings({
    dataDir: dir,
    jwtSecret: SECRET,
    jwtSecretIsDevDefault: false,
    rateLimitPerMinute: 100_000,
    rateLimitPerMinuteIp: 100_000,
  });
  app = createApp({
    settings,
    db: pg.open.db,
    dbKind: 'postgres',
    blobs: createFsBlobStore({ dataDir: dir }),
    logger: createLogger('silent'),
  });
  adminToken = await signAdminToken(SECRET, 'dataset-admin', '10m');
  const issue = async (name: string) => {
    const issued = await createWorkerWithKey(pg.open.db, name);
    return { workerId: issued.workerId, key: issued.key };
  };
  [alice, bob, carol] = [await issue('alice'), await issue('bob'), await issue('carol')];

  aliceEvents = recorded(SESSION, shoppingEvents());
  expect((await postBatch(alice.key, aliceEvents)).status).toBe(200);
  // Bob's session in the same range, with a secret that no export of Alice's may carry.
  const bobEvents = recorded('ds_export_bob_1', shoppingEvents(), 500).map((e) =>
    e.type === 'select' ? { ...e, value: OTHER_SECRET } : e,
  );
  expect((await postBatch(bob.key, bobEvents)).status).toBe(200);

  // The click's burst (sequence 3), a manual frame before everything, narration in two chunks.
  const shot = (id: string, ms: number, extra: object = {}) =>
    recordScreenshot(pg.open.db, alice.workerId, {
      id,
      sessionId: SESSION,
      timestamp: T0 + ms,
      blob: blob('image/webp'),
      uploaded: true,
      ...extra,
    });
  unwrap(await shot('shot-manual', 500));
  for (const i of [0, 1, 2])
    unwrap(
      await shot(`shot-click-${i}`, 3000 + 600 * i, {
        burstId: 'burst-click',
        burstIndex: i,
        burstTotal: 3,
        trigger: 'click',
        triggerSequence: 3,
      }),
    );
  for (const [index, start] of [
    [0, 0],
    [1, 8000],
  ] as const)
    unwrap(
      await recordAudioChunk(pg.open.db, alice.workerId, {
        sessionId: SESSION,
        chunkIndex: index,
        startTime: T0 + start,
        durationMs: 8000,
        blob: blob('audio/webm'),
        uploaded: true,
      }),
    );
}, 60_000);

afterAll(async () => {
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('GET /api/admin/sessions/:id/dataset.jsonl', () => {
  it('one valid line per action, streamed as JSONL with the event total', async () => {
    const { res, lines, text } = await getJsonl(`/api/admin/sessions/${SESSION}/dataset.jsonl`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    expect(res.headers.get('x-total-events')).toBe(String(aliceEvents.length));
    expect(text.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(buildActions(aliceEvents).length);
    expectValid(lines);
    expect(lines.map((l) => l.operation)).toEqual([
      'navigate',
      'scroll',
      'click',
      'type',
      'select',
      'submit',
      'navigate',
    ]);
    expect(lines.map((l) => l.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(lines[0]).toMatchObject({
      format: DATASET_FORMAT,
      session: {
        id: SESSION,
        workerId: alice.workerId,
        startTime: T0,
        userAgent: 'Mozilla/5.0 dataset-test',
        extensionVersion: '9.9.9',
        task: null,
      },
    });
  });

  it('carries the stored snippet, the masked value, screenshots and narration', async () => {
    const { lines } = await getJsonl(`/api/admin/sessions/${SESSION}/dataset.jsonl`);
    const [, scroll, click, type, select] = lines;
    expect(click).toMatchObject({
      neighbourhoodHtml: SNIPPET,
      screenshots: { before: 'shot-manual', after: ['shot-click-0', 'shot-click-1', 'shot-click-2'] },
      narration: { pieces: [{ chunkIndex: 0, fromMs: 1500, toMs: 3500 }] },
    });
    expect(scroll!.screenshots).toEqual({ before: 'shot-manual', after: [] });
    expect(type).toMatchObject({ value: null, mask: { rule: 'password' }, sequences: [4, 5, 6] });
    expect(type!.screenshots.before).toBe('shot-click-2');
    // 7.5 s .. 9.5 s straddles the chunk boundary at 8 s.
    expect(select!.narration.pieces.map((p) => [p.chunkIndex, p.fromMs, p.toMs])).toEqual([
      [0, 7500, 8000],
      [1, 0, 1500],
    ]);
    expect(select!.previousActions.map((a) => a.operation)).toEqual(['navigate', 'scroll', 'click', 'type']);
  });

  it('holds no planted secret', async () => {
    const { text } = await getJsonl(`/api/admin/sessions/${SESSION}/dataset.jsonl`);
    for (const secret of [TITLE_SECRET, HEADING_SECRET, OTHER_SECRET])
      expect(text.includes(secret), secret).toBe(false);
  });

  it('is for admins only, and answers 404 / 400 for a missing or malformed session', async () => {
    const asWorker = await app.request(`/api/admin/sessions/${SESSION}/dataset.jsonl`, {
      headers: { 'x-api-key': alice.key },
    });
    expect(asWorker.status).toBe(403);
    expect((await app.request(`/api/admin/sessions/${SESSION}/dataset.jsonl`)).status).toBe(401);
    expect((await getJsonl('/api/admin/sessions/ds_missing/dataset.jsonl')).res.status).toBe(404);
    expect((await getJsonl('/api/admin/sessions/bad%20id/dataset.jsonl')).res.status).toBe(400);
  });
});

describe('GET /api/admin/dataset.jsonl', () => {
  const CAROL_SESSIONS = 130; // more than one page of sessions (100)

  beforeAll(async () => {
    // Carol's sessions a day later, one click each, stored directly: the paging is under test here.
    const click = shoppingEvents()[2]!;
    for (let i = 0; i < CAROL_SESSIONS; i++) {
      const id = `ds_carol_${String(i).padStart(3, '0')}`;
      // Started in an order unlike their ids, with ties, so the keyset must use both.
      const start = T0 + 86_400_000 + ((i * 37) % 50) * 1000;
      const events = recorded(id, [{ ...click, timestamp: start }]);
      const batch = {
        ...batchOf(events),
        session: {
          startTime: start,
          userAgent: 'ua',
          extensionVersion: '1',
          maskingPolicy: { version: 'capture-1', rules: [] },
        },
      };
      unwrap(await storeBatch(pg.open.db, carol.workerId, batch));
    }
  }, 60_000);

  it('pages through every session of a worker in start order, each once', async () => {
    const { res, lines } = await getJsonl(`/api/admin/dataset.jsonl?worker=${carol.workerId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-sessions')).toBe(String(CAROL_SESSIONS));
    expect(res.headers.get('x-total-events')).toBe(String(CAROL_SESSIONS));
    expect(lines).toHaveLength(CAROL_SESSIONS);
    expectValid(lines);
    const ids = lines.map((l) => l.session.id);
    expect(new Set(ids).size).toBe(CAROL_SESSIONS);
    const keys = lines.map((l) => [l.session.startTime, l.session.id] as const);
    const sorted = [...keys].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    expect(keys).toEqual(sorted);
  });

  it('selects by start time (ISO or epoch ms, to exclusive) and worker', async () => {
    const day1 = new Date(T0 - 1000).toISOString();
    const day1End = String(T0 + 3_600_000);
    const both = await getJsonl(`/api/admin/dataset.jsonl?from=${day1}&to=${day1End}`);
    expect([...new Set(both.lines.map((l) => l.session.id))].sort()).toEqual(['ds_export_alice_1', 'ds_export_bob_1']);
    expectValid(both.lines);
    const onlyAlice = await getJsonl(`/api/admin/dataset.jsonl?from=${day1}&to=${day1End}&worker=${alice.workerId}`);
    expect(onlyAlice.lines).toHaveLength(buildActions(aliceEvents).length);
    expect(onlyAlice.text.includes(OTHER_SECRET)).toBe(false);
    const none = await getJsonl(`/api/admin/dataset.jsonl?from=${T0}&to=${T0}`);
    expect(none.res.status).toBe(200);
    expect(none.text).toBe('');
  });

  it('refuses a bad range', async () => {
    for (const query of ['from=yesterday', 'from=2026-02-30T00:00:00Z', `from=${T0 + 1}&to=${T0}`]) {
      const { res } = await getJsonl(`/api/admin/dataset.jsonl?${query}`);
      expect(res.status, query).toBe(400);
    }
  });
});

describe('scripts/exports/dataset.ts', () => {
  it('writes the JSONL to a file and reports lines and events of the announced total', async () => {
    const out = join(dir, 'alice.jsonl');
    const progress: string[] = [];
    const result = await exportDataset(
      { server: 'http://localhost', token: adminToken, session: SESSION, out },
      (line) => progress.push(line),
      (url, init) => Promise.resolve(app.request(url, init)),
    );
    const { text } = await getJsonl(`/api/admin/sessions/${SESSION}/dataset.jsonl`);
    expect(await readFile(out, 'utf8')).toBe(text);
    expect(result).toMatchObject({
      lines: buildActions(aliceEvents).length,
      sessions: 1,
      totalEvents: aliceEvents.length,
    });
    // The last action (the thank-you navigation) is the event before last: the hidden tab made no action.
    expect(progress).toContain(`7 lines, 1 sessions, events ${aliceEvents.length - 1} of ${aliceEvents.length}`);
  });

  it('leaves no file behind when the server refuses', async () => {
    const out = join(dir, 'refused.jsonl');
    await expect(
      exportDataset(
        { server: 'http://localhost', token: 'not-a-token', session: SESSION, out },
        () => {},
        (url, init) => Promise.resolve(app.request(url, init)),
      ),
    ).rejects.toThrow(/^401/);
    await expect(readFile(out)).rejects.toThrow();
    await expect(readFile(`${out}.partial`)).rejects.toThrow();
  });
});
