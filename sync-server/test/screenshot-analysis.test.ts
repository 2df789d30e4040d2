import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import type { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { signAdminToken } from '../src/auth/admin-token';
import { createWorkerWithKey } from '../src/auth/api-keys';
import { blobKeyFor } from '../src/blobs/blob-key';
import type { BlobStore } from '../src/blobs/blob-store';
import { createFsBlobStore } from '../src/blobs/fs-blob-store';
import type { AppEnv } from '../src/http/app-env';
import { recordScreenshot } from '../src/ingest';
import { createJobQueue } from '../src/jobs/job-queue';
import { createJobRunner } from '../src/jobs/job-runner';
import type { JobView } from '../src/jobs/job-view';
import { createServerJobRegistry } from '../src/jobs/server-job-kinds';
import { analysisDedupeKey } from '../src/jobs/vision/analysis-records';
import { ANALYSIS_AFTER_CLOSE_DELAY_MS, analyseOnClose } from '../src/jobs/vision/request-analysis';
import { SCREENSHOT_ANALYSIS_KIND, type ScreenshotAnalysisResult } from '../src/jobs/vision/screenshot-analysis-job';
import { createLogger } from '../src/log';
import { dispatchMessage } from '../src/protocol/dispatch';
import { createProtocolContext } from '../src/protocol/protocol-context';
import type { SessionAnalysisView } from '../src/routes/analysis-views';
import type { Settings, VisionSettings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';
import {
  fakeAnalysisText,
  startFakeVisionServer,
  type FakeVisionServer,
} from '../src/vision/testing/fake-vision-server';
import { batchOf, sampleRecordedEvents, startTestDatabase, unwrap, type TestDatabase } from './testing/db-fixtures';

/**
 * Issue 13, the optional screenshot analysis, on a real PostgreSQL with the app in-process and a local
 * fake of the OpenAI-compatible endpoint: enqueued when a session closes complete and on demand, run by
 * the job runner, answers stored per screenshot and listed for the console; a restart mid-session and a
 * 503 resume without sending a finished screenshot again; a 401 fails the job for good; off by default.
 */

const SECRET = 'screenshot-analysis-secret-screenshot-analysis';
const KEY = 'sk-vision-test-key-0123456789';
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
/** Sendable screenshots per session; the bound is below it, so the last ones are never sent. */
const SHOTS = 6;
const BOUND = 5;

let pg: TestDatabase;
let dir: string;
let fake: FakeVisionServer;
let blobs: BlobStore;
let settings: Settings;
let app: Hono<AppEnv>;
let offApp: Hono<AppEnv>;
let admin: string;
let alice: { workerId: string; key: string };
/** The base64 of every stored screenshot, to tell which one a request carried. */
const shotOfImage = new Map<string, string>();

const request = (target: Hono<AppEnv>, path: string, init: { method?: string; bearer: string; json?: unknown }) =>
  target.request(
    path,
    {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers: {
        authorization: `Bearer ${init.bearer}`,
        ...(init.json !== undefined && { 'content-type': 'application/json' }),
      },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    },
    { incoming: { socket: { remoteAddress: '127.0.0.1' } } },
  );

/**
 * A session of 5 events from Alice with `SHOTS` verified screenshots, plus one the API cannot take; the
 * first is the frame of the sample's click (at 450, 200 in a 1280x800 viewport).
 */
async function seedSession(sessionId: string) {
  const events = sampleRecordedEvents(sessionId, 5);
  expect((await request(app, '/api/sync/batch', { bearer: alice.key, json: batchOf(events) })).status).toBe(200);
  for (let i = 0; i < SHOTS + 1; i++) {
    const mime = i === SHOTS ? 'image/avif' : i % 2 ? 'image/webp' : 'image/png';
    const bytes = randomBytes(3000 + i);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const blob = { key: blobKeyFor(sha256, mime), sha256, bytes: bytes.byteLength, mime };
    await blobs.put(blob.key, bytes, mime);
    const id = `${sessionId}-shot-${i}`;
    unwrap(
      await recordScreenshot(pg.open.db, alice.workerId, {
        id,
        sessionId,
        timestamp: T0 + 1000 * i,
        trigger: 'click',
        ...(i === 0 && { triggerSequence: events.find((e) => e.type === 'click')!.sequence }),
        blob,
        uploaded: true,
      }),
    );
    shotOfImage.set(bytes.toString('base64'), id);
  }
}

/** The screenshot each request to the fake carried, in order. */
function sentShots(): string[] {
  return fake.received.map((r) => {
    const content = (r.body as { messages: { content: { image_url?: { url: string } }[] }[] }).messages[0]!.content;
    const url = content.find((part) => part.image_url)!.image_url!.url;
    return shotOfImage.get(url.slice(url.indexOf(',') + 1)) ?? 'unknown';
  });
}

const runnerFor = (clock: FakeClock | typeof systemClock, runSettings = settings) =>
  createJobRunner({
    db: pg.open.db,
    registry: createServerJobRegistry({ db: pg.open.db, blobs, settings: runSettings }),
    clock,
    logger: createLogger('silent'),
    concurrency: 1,
    pollMs: 1000,
  });

const analysisPath = (sessionId: string) => `/api/admin/sessions/${sessionId}/analysis`;

async function analysisOf(sessionId: string, target = app): Promise<SessionAnalysisView> {
  const res = await request(target, analysisPath(sessionId), { bearer: admin });
  expect(res.status).toBe(200);
  return (await res.json()) as SessionAnalysisView;
}

async function requestAnalysis(sessionId: string): Promise<{ job: JobView; created: boolean }> {
  const res = await request(app, analysisPath(sessionId), { method: 'POST', bearer: admin });
  expect(res.status).toBe(202);
  return (await res.json()) as { job: JobView; created: boolean };
}

const shotIds = (sessionId: string, n: number) => Array.from({ length: n }, (_, i) => `${sessionId}-shot-${i}`);

beforeAll(async () => {
  pg = await startTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'screenshot-analysis-'));
  fake = await startFakeVisionServer();
  blobs = createFsBlobStore({ dataDir: dir });
  const vision: VisionSettings = {
    apiUrl: fake.url,
    apiKey: KEY,
    model: 'gpt-4o-mini',
    maxScreenshotsPerSession: BOUND,
    requestTimeoutMs: 5000,
  };
  settings = testSettings({
    dataDir: dir,
    jwtSecret: SECRET,
    jwtSecretIsDevDefault: false,
    rateLimitPerMinute: 100_000,
    rateLimitPerMinuteIp: 100_000,
    vision,
  });
  const logger = createLogger('silent');
  app = createApp({ settings, db: pg.open.db, dbKind: 'postgres', blobs, logger });
  offApp = createApp({
    settings: { ...settings, vision: undefined },
    db: pg.open.db,
    dbKind: 'postgres',
    blobs,
    logger,
  });
  admin = await signAdminToken(SECRET, 'vision-admin', '10m');
  const issued = await createWorkerWithKey(pg.open.db, 'alice');
  alice = { workerId: issued.workerId, key: issued.key };
}, 60_000);

afterAll(async () => {
  await fake?.close();
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  fake.received.length = 0;
  fake.respond = (_r, n) => ({ kind: 'completion', content: fakeAnalysisText(n) });
});

describe('screenshot analysis job', () => {
  it('is enqueued (delayed, once) when a session closes complete, and runs at once when asked for', async () => {
    const session = 'vision_close';
    await seedSession(session);
    const close = { type: 'session_close', sessionId: session, endTime: T0 + 60_000, finalCount: 5 };
    const before = Date.now();
    const closed = await request(app, '/api/sync/session-close', { bearer: alice.key, json: close });
    expect(((await closed.json()) as { status: string }).status).toBe('complete');
    // Closing again (a retried close) finds the live job instead of adding one.
    await request(app, '/api/sync/session-close', { bearer: alice.key, json: close });
    const jobs = await pg.open.db
      .selectFrom('jobs')
      .selectAll()
      .where('dedupe_key', '=', analysisDedupeKey(session))
      .execute();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ kind: SCREENSHOT_ANALYSIS_KIND, state: 'queued', payload: { sessionId: session } });
    expect(jobs[0]!.run_at.getTime()).toBeGreaterThanOrEqual(before + ANALYSIS_AFTER_CLOSE_DELAY_MS - 1000);

    // Not due yet: a runner on the real clock takes nothing.
    const runner = runnerFor(systemClock);
    expect(await runner.poll()).toBe(0);
    const asked = await requestAnalysis(session);
    expect(asked).toMatchObject({ created: false, job: { id: jobs[0]!.id, state: 'queued' } });
    expect(Date.parse(asked.job.runAt)).toBeLessThanOrEqual(Date.now());
    expect(await runner.poll()).toBe(1);
    await runner.idle();

    const view = await analysisOf(session);
    expect(view.job).toMatchObject({ id: jobs[0]!.id, state: 'succeeded', attempts: 1, progress: 1 });
    const result = view.job!.result as ScreenshotAnalysisResult;
    expect(result).toEqual({
      model: 'gpt-4o-mini',
      analysed: BOUND,
      missing: 0,
      overBound: SHOTS - BOUND,
      promptTokens: 1200 * BOUND,
      completionTokens: 48 * BOUND,
    });
    // The first BOUND screenshots in the order taken; the AVIF one is never sent.
    expect(sentShots()).toEqual(shotIds(session, BOUND));
    // The click's frame says where the click landed; the others say nothing of a click point.
    const prompts = fake.received.map(
      (r) => (r.body as { messages: { content: { text?: string }[] }[] }).messages[0]!.content[0]!.text!,
    );
    expect(prompts[0]!.split('\n').at(-1)).toBe(
      'The person clicked at about 35% from the left and 25% from the top of the image.',
    );
    expect(prompts.slice(1).some((text) => text.includes('clicked at'))).toBe(false);
    for (const received of fake.received) {
      expect(received.authorization).toBe(`Bearer ${KEY}`);
      expect((received.body as { model: string }).model).toBe('gpt-4o-mini');
    }
    expect(view).toMatchObject({ enabled: true, model: 'gpt-4o-mini', more: false });
    expect(view.analyses.map((a) => [a.screenshotId, a.text])).toEqual(
      shotIds(session, BOUND).map((id, n) => [id, fakeAnalysisText(n)]),
    );
    expect(view.analyses[0]).toMatchObject({
      model: 'gpt-4o-mini',
      servedModel: 'gpt-4o-mini-2024-07-18',
      truncated: false,
      usage: { promptTokens: 1200, completionTokens: 48, totalTokens: 1248 },
    });

    // At the bound: asking again sends nothing.
    await requestAnalysis(session);
    await runner.poll();
    await runner.idle();
    expect(fake.received).toHaveLength(BOUND);
    expect((await analysisOf(session)).job!.result).toMatchObject({ analysed: 0, overBound: SHOTS - BOUND });
  });

  it('is enqueued by a legacy session_end judged complete, and by no close judged incomplete', async () => {
    const jobsOf = (sessionId: string) =>
      pg.open.db.selectFrom('jobs').select('kind').where('dedupe_key', '=', analysisDedupeKey(sessionId)).execute();
    const incomplete = 'vision_incomplete';
    await seedSession(incomplete);
    // Seven events announced, five stored.
    const close = { type: 'session_close', sessionId: incomplete, endTime: T0 + 60_000, finalCount: 7 };
    const closed = await request(app, '/api/sync/session-close', { bearer: alice.key, json: close });
    expect(((await closed.json()) as { status: string }).status).toBe('incomplete');
    expect(await jobsOf(incomplete)).toEqual([]);

    // The socket protocols' handlers, with the context the app builds when vision is on.
    const logger = createLogger('silent');
    const registry = createServerJobRegistry({ db: pg.open.db, blobs, settings });
    const queue = createJobQueue({ db: pg.open.db, registry, clock: systemClock });
    const ctx = createProtocolContext(
      { db: pg.open.db, blobs, logger, analyseOnClose: analyseOnClose(queue, logger) },
      settings,
    );
    const principal = { kind: 'worker', workerId: alice.workerId, keyId: 'k' } as const;
    const legacy = 'vision_legacy_end';
    await seedSession(legacy);
    const end = (totalEvents: number) => ({
      type: 'session_end',
      sessionId: legacy,
      endTime: T0 + 60_000,
      totalEvents,
    });
    expect(await dispatchMessage(ctx, principal, end(9))).toMatchObject({ type: 'ack', status: 'incomplete' });
    expect(await jobsOf(legacy)).toEqual([]);
    expect(await dispatchMessage(ctx, principal, end(5))).toMatchObject({ type: 'ack', status: 'complete' });
    expect(await jobsOf(legacy)).toEqual([{ kind: SCREENSHOT_ANALYSIS_KIND }]);
  });

  it('retries after a 503 with backoff, resuming after the answers already stored', async () => {
    const session = 'vision_retry';
    await seedSession(session);
    fake.respond = (_r, n) =>
      n === 2 ? { kind: 'status', status: 503 } : { kind: 'completion', content: fakeAnalysisText(n) };
    const { job } = await requestAnalysis(session);
    // The app enqueues on the system clock: the runner's fake one starts after that.
    const clock = new FakeClock(Date.now());
    const runner = runnerFor(clock);
    expect(await runner.poll()).toBe(1);
    await runner.idle();

    const failed = (await analysisOf(session)).job!;
    expect(failed).toMatchObject({ id: job.id, state: 'queued', attempts: 1 });
    expect(failed.lastError).toMatch(/^http_error: vision endpoint answered 503.*\(2 analysed by this attempt\)$/);
    expect(Date.parse(failed.runAt)).toBe(clock.now() + 30_000);
    expect((await analysisOf(session)).analyses).toHaveLength(2);

    // Not before the backoff.
    await clock.advance(29_000);
    expect(await runner.poll()).toBe(0);
    await clock.advance(1_000);
    expect(await runner.poll()).toBe(1);
    await runner.idle();
    const done = await analysisOf(session);
    expect(done.job).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(done.job!.result).toMatchObject({ analysed: BOUND - 2 });
    // Shot 2 was sent twice (its first answer was the 503); no answered shot was sent again.
    const ids = shotIds(session, BOUND);
    expect(sentShots()).toEqual([ids[0], ids[1], ids[2], ids[2], ids[3], ids[4]]);
    expect(done.analyses.map((a) => a.screenshotId)).toEqual(ids);
  });

  it("waits out a 429's Retry-After when it is longer than the backoff", async () => {
    const session = 'vision_rate_limited';
    await seedSession(session);
    fake.respond = (_r, n) =>
      n === 0
        ? { kind: 'status', status: 429, headers: { 'retry-after': '120' } }
        : { kind: 'completion', content: fakeAnalysisText(n) };
    await requestAnalysis(session);
    const clock = new FakeClock(Date.now());
    const runner = runnerFor(clock);
    expect(await runner.poll()).toBe(1);
    await runner.idle();
    const limited = (await analysisOf(session)).job!;
    expect(limited).toMatchObject({ state: 'queued', attempts: 1 });
    expect(limited.lastError).toMatch(/^rate_limited: vision endpoint answered 429.*\(retry after 120 s\)/);
    // Not the 30 s backoff: the two minutes the endpoint asked for.
    expect(Date.parse(limited.runAt)).toBe(clock.now() + 120_000);
    await clock.advance(60_000);
    expect(await runner.poll()).toBe(0);
    await clock.advance(60_000);
    // Other sessions' jobs (enqueued at close, two minutes ahead) fall due too: run until none is left.
    while ((await runner.poll()) > 0) await runner.idle();
    expect((await analysisOf(session)).job).toMatchObject({ state: 'succeeded', attempts: 2 });
  });

  it('resumes after a restart in the middle of a session without asking about a finished screenshot again', async () => {
    const session = 'vision_restart';
    await seedSession(session);
    let hung = 0;
    fake.respond = (_r, n) => {
      if (n !== 1) return { kind: 'completion', content: fakeAnalysisText(n) };
      hung++;
      return { kind: 'slow', ms: 60_000 };
    };
    const { job } = await requestAnalysis(session);
    const first = runnerFor(systemClock);
    expect(await first.poll()).toBe(1);
    // The second request hangs: the server stops while it is in flight.
    for (let i = 0; i < 200 && hung === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(hung).toBe(1);
    await first.stop(200);
    const released = (await analysisOf(session)).job!;
    // Handed back, the interrupted attempt not counted.
    expect(released).toMatchObject({ id: job.id, state: 'queued', attempts: 0 });

    // Another instance, on its own pool, takes it over.
    const other = await pg.openAnother(2);
    const second = createJobRunner({
      db: other.db,
      registry: createServerJobRegistry({ db: other.db, blobs, settings }),
      clock: systemClock,
      logger: createLogger('silent'),
      concurrency: 1,
      pollMs: 1000,
    });
    expect(await second.poll()).toBe(1);
    await second.idle();
    const done = await analysisOf(session);
    expect(done.job).toMatchObject({ state: 'succeeded', attempts: 1 });
    const ids = shotIds(session, BOUND);
    expect(sentShots()).toEqual([ids[0], ids[1], ids[1], ids[2], ids[3], ids[4]]);
    expect(done.analyses.map((a) => a.screenshotId)).toEqual(ids);
  });

  it('fails for good on a 401, without retrying or keeping the key', async () => {
    const session = 'vision_denied';
    await seedSession(session);
    fake.respond = () => ({
      kind: 'status',
      status: 401,
      json: { error: { message: `Incorrect API key provided: ${KEY}` } },
    });
    await requestAnalysis(session);
    const runner = runnerFor(new FakeClock(Date.now()));
    await runner.poll();
    await runner.idle();
    const view = await analysisOf(session);
    expect(view.job).toMatchObject({ state: 'failed', attempts: 1 });
    expect(view.job!.lastError).toMatch(/^unauthorized: vision endpoint answered 401/);
    expect(view.job!.lastError).not.toContain(KEY);
    expect(view.analyses).toEqual([]);
    expect(fake.received).toHaveLength(1);
  });

  it('answers only admins, and a missing session like any other', async () => {
    const session = 'vision_close';
    expect((await request(app, analysisPath(session), { bearer: alice.key })).status).toBe(403);
    const post = await request(app, analysisPath(session), { method: 'POST', bearer: alice.key });
    expect(post.status).toBe(403);
    const missing = await request(app, analysisPath('no_such_session'), { method: 'POST', bearer: admin });
    expect(missing.status).toBe(404);
  });
});

describe('screenshot analysis off (the default)', () => {
  it('registers no job kind, refuses the request with 409, and enqueues nothing on close', async () => {
    const off = { ...settings, vision: undefined };
    expect(createServerJobRegistry({ db: pg.open.db, blobs, settings: off }).kinds()).not.toContain(
      SCREENSHOT_ANALYSIS_KIND,
    );
    const session = 'vision_off';
    await seedSession(session);
    const close = { type: 'session_close', sessionId: session, endTime: T0 + 60_000, finalCount: 5 };
    expect((await request(offApp, '/api/sync/session-close', { bearer: alice.key, json: close })).status).toBe(200);
    const refused = await request(offApp, analysisPath(session), { method: 'POST', bearer: admin });
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('conflict');
    expect(body.error.message).toContain('set VISION_API_URL and VISION_API_KEY');
    const jobs = await pg.open.db
      .selectFrom('jobs')
      .select('id')
      .where('dedupe_key', '=', analysisDedupeKey(session))
      .execute();
    expect(jobs).toEqual([]);
    // Stored answers (made while it was on) still show; here there are none.
    expect(await analysisOf(session, offApp)).toEqual({
      enabled: false,
      model: null,
      job: null,
      analyses: [],
      more: false,
    });
    expect(fake.received).toHaveLength(0);
  });
});
