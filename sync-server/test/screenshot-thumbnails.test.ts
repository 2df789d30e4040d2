import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { FakeClock } from '@codesight/schema/testing';
import type { Hono } from 'hono';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { signAdminToken } from '../src/auth/admin-token';
import { createWorkerWithKey } from '../src/auth/api-keys';
import { blobKeyFor } from '../src/blobs/blob-key';
import type { BlobStore } from '../src/blobs/blob-store';
import { createFsBlobStore } from '../src/blobs/fs-blob-store';
import type { AppEnv } from '../src/http/app-env';
import { recordScreenshot } from '../src/ingest/media-rows';
import { createJobRunner } from '../src/jobs/job-runner';
import { claimJob } from '../src/jobs/job-store';
import { createServerJobRegistry } from '../src/jobs/server-job-kinds';
import { screenshotThumbnailsJob, type ThumbnailsResult } from '../src/jobs/thumbnails/screenshot-thumbnails-job';
import {
  SCREENSHOT_THUMBNAILS_KIND,
  THUMBNAILS_DELAY_MS,
  thumbnailsDedupeKey,
} from '../src/jobs/thumbnails/request-thumbnails';
import { createLogger } from '../src/log';
import type { Settings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';
import { startTestDatabase, type TestDatabase } from './testing/db-fixtures';

/**
 * Issue 13, the `screenshot-thumbnails` job on a real PostgreSQL, the app in-process with file-system
 * blobs: frames uploaded through the upload API enqueue one delayed job per session; the console's
 * thumbnail route stands in the full frame and brings the job forward until it ran; the job makes a
 * 320-wide WebP of each frame (smaller, decodable, aspect kept), refuses decompression bombs before
 * decoding them, and resumes where it stopped.
 */

const SECRET = 'thumbnails-test-secret-thumbnails-test-secret';
const SESSION = 'cs_thumbs_1';
const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

let pg: TestDatabase;
let dir: string;
let app: Hono<AppEnv>;
let blobs: BlobStore;
let settings: Settings;
let admin: string;
let alice: { workerId: string; key: string };

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A 1280x800 PNG with detail (bands and a gradient), like a UI frame; `seed` makes each one different. */
async function framePng(seed: number, width = 1280, height = 800): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x + seed * 37) & 0xff;
      pixels[i + 1] = y % 40 < 20 ? 30 : 220;
      pixels[i + 2] = ((x >> 3) ^ (y >> 3) ^ seed) & 0xff;
    }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** `png` with its header claiming `width` x `height` (CRC fixed): a decompression bomb's header. */
function claimingSize(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return new Uint8Array(out);
}

const request = (path: string, init: { key?: string; bearer?: string; json?: unknown; put?: Uint8Array } = {}) => {
  const headers: Record<string, string> = {};
  if (init.key) headers['x-api-key'] = init.key;
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  if (init.put) headers['content-type'] = 'image/png';
  const method = init.put ? 'PUT' : init.json !== undefined ? 'POST' : 'GET';
  const body = init.put ?? (init.json !== undefined ? JSON.stringify(init.json) : undefined);
  return Promise.resolve(app.request(path, { method, headers, body }));
};

/** Uploads a PNG frame through the three-step upload API; returns the screenshot id. */
async function uploadFrame(id: string, png: Uint8Array, at: number): Promise<string> {
  const body = {
    sha256: sha(png),
    bytes: png.byteLength,
    mime: 'image/png',
    sessionId: SESSION,
    kind: 'screenshot',
    meta: { id, timestamp: at, width: 1280, height: 800, trigger: 'click' },
  };
  const grant = (await (await request('/api/upload/url', { key: alice.key, json: body })).json()) as {
    uploadId: string;
    url: string;
  };
  expect((await request(new URL(grant.url).pathname, { put: png })).status).toBe(200);
  const done = await request('/api/upload/complete', { key: alice.key, json: { ...body, uploadId: grant.uploadId } });
  expect(done.status).toBe(201);
  return id;
}

/** Records a verified frame whose bytes the test put in the store itself (shapes no client would send). */
async function storeFrame(id: string, bytes: Uint8Array, size: { width?: number; height?: number }, put = true) {
  const blob = {
    key: blobKeyFor(sha(bytes), 'image/png'),
    sha256: sha(bytes),
    bytes: bytes.byteLength,
    mime: 'image/png',
  };
  if (put) await blobs.put(blob.key, bytes, 'image/png');
  const recorded = await recordScreenshot(pg.open.db, alice.workerId, {
    id,
    sessionId: SESSION,
    timestamp: T0 + 50_000,
    ...size,
    blob,
    uploaded: true,
  });
  expect(recorded.ok).toBe(true);
}

const shotPath = (id: string, size?: string) =>
  `/api/admin/console/sessions/${SESSION}/screenshots/${id}${size ? `?size=${size}` : ''}`;

const liveJobs = () =>
  pg.open.db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', SCREENSHOT_THUMBNAILS_KIND)
    .where('state', 'in', ['queued', 'running'])
    .execute();

/** Runs every due job once, on a clock `aheadMs` past the real now. */
async function runDueJobs(aheadMs = 0): Promise<number> {
  const runner = createJobRunner({
    db: pg.open.db,
    registry: createServerJobRegistry({ db: pg.open.db, blobs, settings }),
    clock: new FakeClock(Date.now() + aheadMs),
    logger: createLogger('silent'),
    concurrency: 1,
    pollMs: 1000,
  });
  const started = await runner.poll();
  await runner.idle();
  return started;
}

const frames = new Map<string, Uint8Array>();

beforeAll(async () => {
  pg = await startTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'thumbnails-'));
  settings = testSettings({
    dataDir: dir,
    jwtSecret: SECRET,
    jwtSecretIsDevDefault: false,
    rateLimitPerMinute: 100_000,
    rateLimitPerMinuteIp: 100_000,
  });
  blobs = createFsBlobStore({ dataDir: dir });
  app = createApp({ settings, db: pg.open.db, dbKind: 'postgres', blobs, logger: createLogger('silent') });
  admin = await signAdminToken(SECRET, 'thumbs-admin', '10m');
  const issued = await createWorkerWithKey(pg.open.db, 'alice');
  alice = { workerId: issued.workerId, key: issued.key };
  for (const [i, id] of ['shot-a', 'shot-b'].entries()) frames.set(id, await framePng(i));
}, 120_000);
afterAll(async () => {
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('screenshot thumbnails', () => {
  it('uploads enqueue one delayed job per session, not one per frame', async () => {
    const before = Date.now();
    await uploadFrame('shot-a', frames.get('shot-a')!, T0);
    await uploadFrame('shot-b', frames.get('shot-b')!, T0 + 1000);
    const live = await liveJobs();
    expect(live).toHaveLength(1);
    // The job is the uploading worker's: workers take turns in the queue.
    expect(live[0]).toMatchObject({
      state: 'queued',
      dedupe_key: thumbnailsDedupeKey(SESSION),
      owner_key: `worker:${alice.workerId}`,
    });
    expect(live[0]!.payload).toEqual({ sessionId: SESSION });
    expect(live[0]!.run_at.getTime()).toBeGreaterThanOrEqual(before + THUMBNAILS_DELAY_MS);
    // Not due yet: a runner on the real clock takes nothing.
    expect(await runDueJobs()).toBe(0);
  });

  it('serves the full frame while no thumbnail is made, uncached, and brings the job forward', async () => {
    const res = await request(shotPath('shot-a', 'thumb'), { bearer: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-thumbnail')).toBe('pending');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    expect(sha(new Uint8Array(await res.arrayBuffer()))).toBe(sha(frames.get('shot-a')!));
    const [job] = await liveJobs();
    expect(job!.run_at.getTime()).toBeLessThanOrEqual(Date.now());
    expect((await request(shotPath('shot-a', 'huge'), { bearer: admin })).status).toBe(400);
  });

  it('makes a smaller 320-wide WebP of every frame, aspect kept, served from the thumbnail route', async () => {
    expect(await runDueJobs()).toBe(1);
    const [done] = await pg.open.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', SCREENSHOT_THUMBNAILS_KIND)
      .execute();
    expect(done).toMatchObject({ state: 'succeeded', progress: 1 });
    const result = done!.result as ThumbnailsResult;
    expect(result).toMatchObject({ made: 2, refused: 0 });
    expect(result.thumbnailBytes * 10).toBeLessThan(result.sourceBytes);

    for (const [id, png] of frames) {
      const res = await request(shotPath(id, 'thumb'), { bearer: admin });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/webp');
      expect(res.headers.get('x-thumbnail')).toBe('made');
      expect(res.headers.get('cache-control')).toContain('immutable');
      const thumb = new Uint8Array(await res.arrayBuffer());
      expect(thumb.byteLength * 10).toBeLessThan(png.byteLength);
      const meta = await sharp(thumb).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: 320, height: 200 });
      // The thumbnail is the frame's picture: its mean colour is close to the frame's.
      const [frameStats, thumbStats] = await Promise.all([sharp(png).stats(), sharp(thumb).stats()]);
      for (const c of [0, 1, 2])
        expect(Math.abs(frameStats.channels[c]!.mean - thumbStats.channels[c]!.mean)).toBeLessThan(8);
      // Stored content-addressed, like every blob.
      const row = await pg.open.db
        .selectFrom('screenshot_thumbnails')
        .selectAll()
        .where('screenshot_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        blob_key: blobKeyFor(sha(thumb), 'image/webp'),
        bytes: thumb.byteLength,
        width: 320,
      });
      // The full frame is still there, unchanged.
      const full = await request(shotPath(id), { bearer: admin });
      expect(sha(new Uint8Array(await full.arrayBuffer()))).toBe(sha(png));
    }
  });

  it('refuses decompression bombs before decoding them, and serves their frame instead', async () => {
    const small = await framePng(9, 64, 48);
    // Claims 30000x30000 in its header, nothing in its row: the header check refuses it.
    await storeFrame('bomb-header', claimingSize(small, 30_000, 30_000), {});
    // Claims too many pixels in its row: refused before the blob is even read (it is not in the store).
    await storeFrame('bomb-row', await framePng(10, 32, 32), { width: 100_000, height: 100_000 }, false);
    const job = screenshotThumbnailsJob({ db: pg.open.db, blobs, maxScreenshotsPerSession: 100 });
    const outcome = await job.run(
      { sessionId: SESSION },
      {
        jobId: 'manual',
        attempt: 1,
        clock: new FakeClock(),
        logger: createLogger('silent'),
        signal: new AbortController().signal,
        reportProgress: () => {},
      },
    );
    expect(outcome).toMatchObject({ ok: true, value: { made: 0, refused: 2 } });
    const rows = await pg.open.db
      .selectFrom('screenshot_thumbnails')
      .select(['screenshot_id', 'blob_key', 'problem'])
      .where('screenshot_id', 'in', ['bomb-header', 'bomb-row'])
      .orderBy('screenshot_id')
      .execute();
    expect(rows).toEqual([
      {
        screenshot_id: 'bomb-header',
        blob_key: null,
        problem: expect.stringMatching(/^too_large: 30000x30000/) as unknown,
      },
      {
        screenshot_id: 'bomb-row',
        blob_key: null,
        problem: expect.stringMatching(/^too_large: 100000x100000/) as unknown,
      },
    ]);
    const res = await request(shotPath('bomb-header', 'thumb'), { bearer: admin });
    expect(res.headers.get('x-thumbnail')).toBe('none');
    expect(res.headers.get('content-type')).toBe('image/png');
    // A refused frame does not ask for the job again.
    expect(await liveJobs()).toHaveLength(0);
  });

  it('resumes: a later run thumbnails only the frames that have no thumbnail yet', async () => {
    const before = await pg.open.db.selectFrom('screenshot_thumbnails').selectAll().orderBy('screenshot_id').execute();
    await uploadFrame('shot-c', await framePng(3), T0 + 2000);
    expect(await runDueJobs(THUMBNAILS_DELAY_MS + 1000)).toBe(1);
    const job = await pg.open.db
      .selectFrom('jobs')
      .selectAll()
      .where('kind', '=', SCREENSHOT_THUMBNAILS_KIND)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ state: 'succeeded' });
    expect(job.result).toMatchObject({ made: 1, refused: 0 });
    const after = await pg.open.db.selectFrom('screenshot_thumbnails').selectAll().orderBy('screenshot_id').execute();
    expect(after.map((r) => r.screenshot_id)).toEqual([...before.map((r) => r.screenshot_id), 'shot-c'].sort());
    // The rows made before are untouched.
    for (const row of before) expect(after.find((r) => r.screenshot_id === row.screenshot_id)).toEqual(row);
  });

  it('a frame verified while a job runs gets a job that has not started yet, which makes its thumbnail', async () => {
    await uploadFrame('shot-d', await framePng(4), T0 + 3000);
    // Its job starts (and may have read the pending frames for the last time already) before shot-e is verified.
    const claimed = await claimJob(pg.open.db, {
      owner: 'test-runner',
      kinds: [SCREENSHOT_THUMBNAILS_KIND],
      now: Date.now() + THUMBNAILS_DELAY_MS + 1000,
      leaseMs: 10 * 60_000,
    });
    expect(claimed?.dedupe_key).toBe(thumbnailsDedupeKey(SESSION));
    await uploadFrame('shot-e', await framePng(5), T0 + 4000);
    const live = await liveJobs();
    expect(live.map((j) => [j.dedupe_key, j.state]).sort()).toEqual([
      [thumbnailsDedupeKey(SESSION), 'running'],
      [thumbnailsDedupeKey(SESSION, true), 'queued'],
    ]);
    // The console asking meanwhile adds nothing: a job is running.
    await request(shotPath('shot-e', 'thumb'), { bearer: admin });
    expect(await liveJobs()).toHaveLength(2);
    // The claimed job never finishes here; the waiting one takes both frames.
    expect(await runDueJobs(THUMBNAILS_DELAY_MS + 1000)).toBe(1);
    const made = await pg.open.db
      .selectFrom('screenshot_thumbnails')
      .select('screenshot_id')
      .where('screenshot_id', 'in', ['shot-d', 'shot-e'])
      .where('blob_key', 'is not', null)
      .execute();
    expect(made).toHaveLength(2);
  });

  it("a legacy screenshot_data frame enqueues its session's delayed job too", async () => {
    const png = await framePng(6, 320, 200);
    const res = await request('/api/sessions/cs_thumbs_legacy/screenshots', {
      key: alice.key,
      json: { image: `data:image/png;base64,${Buffer.from(png).toString('base64')}`, timestamp: T0 },
    });
    expect(res.status).toBe(201);
    const job = await pg.open.db
      .selectFrom('jobs')
      .selectAll()
      .where('dedupe_key', '=', thumbnailsDedupeKey('cs_thumbs_legacy'))
      .executeTakeFirstOrThrow();
    expect(job).toMatchObject({ kind: SCREENSHOT_THUMBNAILS_KIND, state: 'queued' });
    expect(job.run_at.getTime()).toBeGreaterThan(Date.now() + THUMBNAILS_DELAY_MS / 2);
  });
});
