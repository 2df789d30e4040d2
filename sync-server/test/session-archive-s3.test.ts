import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { startS3Server, type S3TestServer } from '../../scripts/lib/s3-server';
import { signAdminToken } from '../src/auth/admin-token';
import { blobKeyFor } from '../src/blobs/blob-key';
import { createS3BlobStore } from '../src/blobs/s3-blob-store';
import { createDatabase, type OpenDatabase } from '../src/db/database';
import { recordMediaChunk, recordScreenshot } from '../src/ingest/media-rows';
import type { JobView } from '../src/jobs/job-view';
import { startServer, type RunningServer } from '../src/main';
import type { Settings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';

/**
 * The session archive in the production shape: the real server (its own job runner polling) on
 * PostgreSQL 15 with media in an S3 bucket. The archive is larger than one 8 MiB part, so it goes up
 * as a multipart upload.
 */

const BUCKET = 'codesight-archives';
const SESSION = 'cs_archive_s3';
const T0 = 1_752_327_000_000;
let pg: PostgresCluster;
let s3: S3TestServer;
let dir: string;
let server: RunningServer;
let settings: Settings;
let side: OpenDatabase;
let admin: string;
const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const stored = new Map<string, Uint8Array>();

beforeAll(async () => {
  // s3rver accepts any credentials; the SDK's default chain needs some to sign.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  [pg, s3] = await Promise.all([startPostgres(), startS3Server({ buckets: [BUCKET] })]);
  dir = await mkdtemp(join(tmpdir(), 'archive-s3-'));
  const s3Settings = { bucket: BUCKET, endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true };
  settings = testSettings({ databaseUrl: pg.url, dataDir: dir, port: 0, s3: s3Settings, jobsPollMs: 100 });
  server = await startServer(settings);
  admin = await signAdminToken(settings.jwtSecret, 'archive-test', '10m');

  const batch = await fetch(`${server.url}/api/sync/batch`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-key-dev', 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'batch',
      v: 1,
      batchId: 'b1',
      sessionId: SESSION,
      session: { startTime: T0, userAgent: 'Chrome/156', maskingPolicy: { version: '1', rules: [] } },
      firstSequence: 1,
      lastSequence: 30,
      events: sampleRecordedEvents(SESSION, 30),
    }),
  });
  expect(batch.status).toBe(200);

  // Media written the way a verified upload leaves it: bytes in the bucket, a row marked uploaded.
  side = await createDatabase({ databaseUrl: pg.url, dataDir: dir, poolSize: 2 });
  const blobs = createS3BlobStore({ ...s3Settings });
  const worker = await side.db
    .selectFrom('sessions')
    .select('worker_id')
    .where('id', '=', SESSION)
    .executeTakeFirstOrThrow();
  const put = async (bytes: Uint8Array, mime: string) => {
    const ref = { key: blobKeyFor(sha(bytes), mime), sha256: sha(bytes), bytes: bytes.byteLength, mime };
    await blobs.put(ref.key, bytes, mime);
    return ref;
  };
  const shot = randomBytes(50_000);
  await recordScreenshot(side.db, worker.worker_id, {
    sessionId: SESSION,
    timestamp: T0 + 10,
    blob: await put(shot, 'image/jpeg'),
    uploaded: true,
  });
  stored.set(`screenshots/000000-${T0 + 10}.jpg`, shot);
  // Two chunks of 5 MiB: the archive passes one 8 MiB part.
  for (const index of [0, 1]) {
    const chunk = randomBytes(5 * 1024 * 1024);
    await recordMediaChunk(side.db, worker.worker_id, 'audio', {
      sessionId: SESSION,
      chunkIndex: index,
      startTime: T0 + index * 1000,
      durationMs: 1000,
      blob: await put(chunk, 'audio/webm'),
      uploaded: true,
    });
    stored.set(`audio/chunk-00000${index}.webm`, chunk);
  }
});
afterAll(async () => {
  await server?.close();
  await side?.close();
  await Promise.allSettled([pg?.stop(), s3?.stop()]);
  await rm(dir, { recursive: true, force: true });
  process.env.AWS_ACCESS_KEY_ID = savedEnv.id;
  process.env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
  if (savedEnv.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (savedEnv.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

const adminFetch = (path: string, method = 'GET') =>
  fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${admin}` } });

describe('session archive on PostgreSQL + S3', () => {
  it("is built by the server's own runner, uploaded in parts and downloaded intact", async () => {
    const posted = await adminFetch(`/api/admin/sessions/${SESSION}/archive`, 'POST');
    expect(posted.status).toBe(202);
    const { job } = (await posted.json()) as { job: JobView };

    await expect
      .poll(
        async () => ((await (await adminFetch(`/api/admin/jobs/${job.id}`)).json()) as { job: JobView }).job.state,
        { timeout: 50_000, interval: 200 },
      )
      .toBe('succeeded');
    const { job: done } = (await (await adminFetch(`/api/admin/jobs/${job.id}`)).json()) as { job: JobView };
    const result = done.result as { bytes: number; sha256: string; blobKey: string };
    expect(result.bytes).toBeGreaterThan(8 * 1024 * 1024);

    const download = await adminFetch(`/api/admin/sessions/${SESSION}/archive`);
    expect(download.status).toBe(200);
    const zip = new Uint8Array(await download.arrayBuffer());
    expect(sha(zip)).toBe(result.sha256);
    const entries = unzipSync(zip);
    for (const [path, bytes] of stored) expect(sha(entries[path]!), path).toBe(sha(bytes));
    expect(new TextDecoder().decode(entries['events.jsonl']).trimEnd().split('\n')).toHaveLength(30);

    const counts = (await (await adminFetch('/api/admin/jobs/counts')).json()) as { counts: Record<string, number> };
    expect(counts.counts).toMatchObject({ succeeded: 1, queued: 0, running: 0, failed: 0 });
  });
});
