import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { startS3Server, type S3TestServer } from '../../scripts/lib/s3-server';
import { signAdminToken } from '../src/auth/admin-token';
import { blobKeyFor } from '../src/blobs/blob-key';
import { createS3BlobStore } from '../src/blobs/s3-blob-store';
import type { DatasetExportResult } from '../src/jobs/exports/dataset-export-job';
import type { JobView } from '../src/jobs/job-view';
import { startServer, type RunningServer } from '../src/main';
import type { Settings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';

/**
 * Thumbnails and dataset exports in the production shape: the real server (its own job runner) on
 * PostgreSQL 15 with blobs in an S3 bucket. A frame uploaded with a presigned PUT gets its thumbnail in
 * the bucket once the console asks for it; an export goes up to the bucket and downloads as the stream.
 */

const BUCKET = 'codesight-thumbs';
const SESSION = 'cs_thumbs_s3';
const T0 = 1_752_327_000_000;
let pg: PostgresCluster;
let s3: S3TestServer;
let dir: string;
let server: RunningServer;
let settings: Settings;
let admin: string;
const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const api = (path: string, init: { json?: unknown; bearer?: string; method?: string } = {}) =>
  fetch(`${server.url}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${init.bearer ?? 'test-key-dev'}`, 'content-type': 'application/json' },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });

/** Polls `check` every 100 ms until it returns a value, for at most 30 s (the server's runner polls every 100 ms). */
async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  // s3rver accepts any credentials; the SDK's default chain needs some to sign.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  [pg, s3] = await Promise.all([startPostgres(), startS3Server({ buckets: [BUCKET] })]);
  dir = await mkdtemp(join(tmpdir(), 'thumbs-s3-'));
  const s3Settings = { bucket: BUCKET, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true };
  settings = testSettings({ databaseUrl: pg.url, dataDir: dir, port: 0, s3: s3Settings, jobsPollMs: 100 });
  server = await startServer(settings);
  admin = await signAdminToken(settings.jwtSecret, 'thumbs-s3', '10m');
  const batch = await api('/api/sync/batch', {
    json: {
      type: 'batch',
      v: 1,
      batchId: 'b1',
      sessionId: SESSION,
      session: { startTime: T0, userAgent: 'Chrome/156', maskingPolicy: { version: '1', rules: [] } },
      firstSequence: 1,
      lastSequence: 20,
      events: sampleRecordedEvents(SESSION, 20),
    },
  });
  expect(batch.status).toBe(200);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await Promise.allSettled([pg?.stop(), s3?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
  process.env.AWS_ACCESS_KEY_ID = savedEnv.id;
  process.env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
  if (savedEnv.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (savedEnv.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

describe('thumbnails and exports on S3', () => {
  it('makes the thumbnail of a frame uploaded to the bucket, stored in the bucket', async () => {
    const png = new Uint8Array(
      await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#3366aa' } })
        .png()
        .toBuffer(),
    );
    const body = {
      sha256: sha(png),
      bytes: png.byteLength,
      mime: 'image/png',
      sessionId: SESSION,
      kind: 'screenshot',
      meta: { id: 'shot-s3', timestamp: T0 + 500, width: 1600, height: 1000 },
    };
    const grant = (await (await api('/api/upload/url', { json: body })).json()) as {
      url: string;
      method: string;
      headers: Record<string, string>;
    };
    expect((await fetch(grant.url, { method: grant.method, headers: grant.headers, body: png })).status).toBe(200);
    expect((await api('/api/upload/complete', { json: body })).status).toBe(201);

    const path = `/api/admin/console/sessions/${SESSION}/screenshots/shot-s3?size=thumb`;
    const first = await api(path, { bearer: admin });
    expect(first.headers.get('x-thumbnail')).toBe('pending');
    expect(sha(new Uint8Array(await first.arrayBuffer()))).toBe(sha(png));
    const thumb = await eventually(async () => {
      const res = await api(path, { bearer: admin });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return res.headers.get('x-thumbnail') === 'made' ? bytes : undefined;
    });
    expect(await sharp(thumb).metadata()).toMatchObject({ format: 'webp', width: 320, height: 200 });
    const bucket = createS3BlobStore({
      bucket: BUCKET,
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
    });
    expect(await bucket.head(blobKeyFor(sha(thumb), 'image/webp'))).toEqual({ bytes: thumb.byteLength });
  });

  it('writes a dataset export into the bucket and downloads the bytes the stream sends', async () => {
    const started = await api('/api/admin/exports', { bearer: admin, method: 'POST' });
    expect(started.status).toBe(202);
    const { job } = (await started.json()) as { job: JobView };
    const done = await eventually(async () => {
      const view = ((await (await api(`/api/admin/jobs/${job.id}`, { bearer: admin })).json()) as { job: JobView }).job;
      if (view.state === 'failed') throw new Error(`export failed: ${view.lastError}`);
      return view.state === 'succeeded' ? view : undefined;
    });
    const result = done.result as DatasetExportResult;
    expect(result.blobKey).toBe(`exports/${job.id}-1.jsonl`);
    const file = new Uint8Array(
      await (await api(`/api/admin/exports/${job.id}/download`, { bearer: admin })).arrayBuffer(),
    );
    const streamed = new Uint8Array(await (await api('/api/admin/dataset.jsonl', { bearer: admin })).arrayBuffer());
    expect(file.byteLength).toBe(result.bytes);
    expect(file.byteLength).toBeGreaterThan(0);
    expect(sha(file)).toBe(sha(streamed));
  });
});
