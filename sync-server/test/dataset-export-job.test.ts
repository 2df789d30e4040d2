import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordedEvent } from '@codesight/schema';
import { FakeClock, sampleRecordedEvents } from '@codesight/schema/testing';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { signAdminToken } from '../src/auth/admin-token';
import { createWorkerWithKey } from '../src/auth/api-keys';
import type { BlobStore } from '../src/blobs/blob-store';
import { createFsBlobStore } from '../src/blobs/fs-blob-store';
import type { AppEnv } from '../src/http/app-env';
import {
  DATASET_EXPORT_KIND,
  datasetExportJob,
  MAX_EXPORT_SESSIONS,
  type DatasetExportResult,
} from '../src/jobs/exports/dataset-export-job';
import { createJobRunner } from '../src/jobs/job-runner';
import { claimJob } from '../src/jobs/job-store';
import type { JobView } from '../src/jobs/job-view';
import { createServerJobRegistry } from '../src/jobs/server-job-kinds';
import { createLogger } from '../src/log';
import type { Settings } from '../src/settings';
import { testSettings } from '../src/testing/test-settings';
import { batchOf, startTestDatabase, type TestDatabase } from './testing/db-fixtures';

/**
 * Issue 13, dataset exports as background jobs on a real PostgreSQL, the app in-process with
 * file-system blobs: started over the admin API, written by a job runner into the blob store with
 * progress, downloaded, and byte for byte what the streamed `GET /api/admin/dataset.jsonl` answers for
 * the same range; bounded by sessions before anything is enqueued.
 */

const SECRET = 'export-job-test-secret-export-job-test-secret';
const T0 = Date.UTC(2026, 10, 25, 8, 0, 0);
const HOUR = 3600_000;

let pg: TestDatabase;
let dir: string;
let app: Hono<AppEnv>;
let blobs: BlobStore;
let settings: Settings;
let admin: string;
let bob: { workerId: string; key: string };

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const get = (path: string) => Promise.resolve(app.request(path, { headers: { authorization: `Bearer ${admin}` } }));
const post = (path: string) =>
  Promise.resolve(app.request(path, { method: 'POST', headers: { authorization: `Bearer ${admin}` } }));

async function ingest(key: string, sessionId: string, startTime: number, count: number) {
  const events: RecordedEvent[] = sampleRecordedEvents(sessionId, count).map((e) => ({
    ...e,
    timestamp: startTime + e.sequence * 1000,
  }));
  const res = await app.request('/api/sync/batch', {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({
      ...batchOf(events),
      session: { startTime, userAgent: 'Chrome/156 export-test', maskingPolicy: { version: '1', rules: ['password'] } },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Runs every due job once. */
async function runDueJobs(): Promise<number> {
  const runner = createJobRunner({
    db: pg.open.db,
    registry: createServerJobRegistry({ db: pg.open.db, blobs, settings }),
    clock: new FakeClock(Date.now()),
    logger: createLogger('silent'),
    concurrency: 2,
    pollMs: 1000,
  });
  const started = await runner.poll();
  await runner.idle();
  return started;
}

const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 24 * HOUR).toISOString()}`;

beforeAll(async () => {
  pg = await startTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'export-job-'));
  settings = testSettings({
    dataDir: dir,
    jwtSecret: SECRET,
    jwtSecretIsDevDefault: false,
    rateLimitPerMinute: 100_000,
    rateLimitPerMinuteIp: 100_000,
  });
  blobs = createFsBlobStore({ dataDir: dir });
  app = createApp({ settings, db: pg.open.db, dbKind: 'postgres', blobs, logger: createLogger('silent') });
  admin = await signAdminToken(SECRET, 'export-admin', '10m');
  const alice = await createWorkerWithKey(pg.open.db, 'alice');
  const issued = await createWorkerWithKey(pg.open.db, 'bob');
  bob = { workerId: issued.workerId, key: issued.key };
  await ingest(alice.key, 'ex_alice_1', T0 + HOUR, 30);
  await ingest(alice.key, 'ex_alice_2', T0 + 2 * HOUR, 12);
  await ingest(bob.key, 'ex_bob_1', T0 + 3 * HOUR, 20);
  // Outside the range.
  await ingest(bob.key, 'ex_bob_late', T0 + 30 * HOUR, 5);
}, 120_000);
afterAll(async () => {
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dataset export job', () => {
  it('is started once per range, written by a runner, and downloads the bytes the streamed endpoint sends', async () => {
    const started = await post(`/api/admin/exports?${range}`);
    expect(started.status).toBe(202);
    const { job, created, totals } = (await started.json()) as {
      job: JobView;
      created: boolean;
      totals: { sessions: number; events: number };
    };
    expect(created).toBe(true);
    expect(totals).toEqual({ sessions: 3, events: 62 });
    expect(job).toMatchObject({ kind: DATASET_EXPORT_KIND, state: 'queued', payload: { format: 'dataset-jsonl' } });
    const again = (await (await post(`/api/admin/exports?${range}`)).json()) as { job: JobView; created: boolean };
    expect(again).toMatchObject({ created: false, job: { id: job.id } });

    const early = await get(`/api/admin/exports/${job.id}/download`);
    expect(early.status).toBe(409);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe('conflict');

    expect(await runDueJobs()).toBe(1);
    const listed = (await (await get('/api/admin/exports')).json()) as { exports: JobView[] };
    const done = listed.exports.find((e) => e.id === job.id)!;
    expect(done).toMatchObject({ state: 'succeeded', progress: 1 });
    const result = done.result as DatasetExportResult;
    expect(result).toMatchObject({ sessions: 3 });

    const download = await get(`/api/admin/exports/${job.id}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('application/x-ndjson');
    expect(download.headers.get('content-disposition')).toContain('attachment');
    const file = new Uint8Array(await download.arrayBuffer());
    expect(file.byteLength).toBe(result.bytes);
    expect(sha(file)).toBe(result.sha256);
    expect(download.headers.get('x-export-sha256')).toBe(result.sha256);

    const streamed = new Uint8Array(await (await get(`/api/admin/dataset.jsonl?${range}`)).arrayBuffer());
    expect(streamed.byteLength).toBeGreaterThan(1000);
    expect(sha(file)).toBe(sha(streamed));
    const lines = new TextDecoder().decode(file).trimEnd().split('\n');
    expect(lines).toHaveLength(result.lines);
    const sessions = new Set(lines.map((l) => (JSON.parse(l) as { session: { id: string } }).session.id));
    expect([...sessions].sort()).toEqual(['ex_alice_1', 'ex_alice_2', 'ex_bob_1']);
  });

  it("exports one worker's range the same way", async () => {
    const query = `${range}&worker=${bob.workerId}`;
    const { job } = (await (await post(`/api/admin/exports?${query}`)).json()) as { job: JobView };
    expect(await runDueJobs()).toBe(1);
    const file = new Uint8Array(await (await get(`/api/admin/exports/${job.id}/download`)).arrayBuffer());
    const streamed = new Uint8Array(await (await get(`/api/admin/dataset.jsonl?${query}`)).arrayBuffer());
    expect(file.byteLength).toBeGreaterThan(0);
    expect(sha(file)).toBe(sha(streamed));
    expect(new TextDecoder().decode(file)).not.toContain('ex_alice');
  });

  it("exports the range's legacy session JSON, a line per session, as the per-session endpoint answers it", async () => {
    const started = await post(`/api/admin/exports?format=legacy-jsonl&${range}`);
    expect(started.status).toBe(202);
    const { job } = (await started.json()) as { job: JobView };
    expect(job.payload).toMatchObject({ format: 'legacy-jsonl' });
    expect(await runDueJobs()).toBe(1);
    const download = await get(`/api/admin/exports/${job.id}/download`);
    expect(download.headers.get('content-disposition')).toContain(`legacy-jsonl-${job.id}.jsonl`);
    const lines = (await download.text()).trimEnd().split('\n');
    const ids = ['ex_alice_1', 'ex_alice_2', 'ex_bob_1'];
    expect(lines).toHaveLength(ids.length);
    for (const [i, id] of ids.entries()) {
      const single = await (await get(`/api/extension/sessions/${id}/data`)).text();
      expect(lines[i]).toBe(single);
    }
    expect((await post(`/api/admin/exports?format=zip&${range}`)).status).toBe(400);
  });

  it('reports progress by sessions written, rising to the end', async () => {
    const progress: number[] = [];
    // Claimed by hand: the test is the runner, and calls the handler itself.
    const { job: queued } = (await (await post(`/api/admin/exports?from=${T0}&to=${T0 + 12 * HOUR}`)).json()) as {
      job: JobView;
    };
    const claimed = await claimJob(pg.open.db, {
      owner: 'test',
      kinds: [DATASET_EXPORT_KIND],
      now: Date.now(),
      leaseMs: 60_000,
    });
    expect(claimed?.id).toBe(queued.id);
    const job = datasetExportJob({ db: pg.open.db, blobs });
    const outcome = await job.run(
      { format: 'dataset-jsonl', from: T0, to: T0 + 24 * HOUR },
      {
        jobId: claimed!.id,
        attempt: claimed!.attempts,
        clock: new FakeClock(),
        logger: createLogger('silent'),
        signal: new AbortController().signal,
        reportProgress: (p) => progress.push(p),
      },
    );
    expect(outcome.ok).toBe(true);
    expect(progress.map((p) => Math.round(p * 100))).toEqual([33, 67, 99]);
  });

  it('refuses a range past the session bound before enqueueing, and bad ranges and ids', async () => {
    // Sessions in 2001, far from the others: one more than an export may take.
    const worker = bob.workerId;
    await sql`insert into sessions (id, worker_id, start_time)
      select 'bulk_' || n, ${worker}, timestamptz '2001-01-01' + n * interval '1 second'
      from generate_series(1, ${MAX_EXPORT_SESSIONS + 1}) as n`.execute(pg.open.db);
    const jobsBefore = await pg.open.db.selectFrom('jobs').select('id').execute();
    const refused = await post('/api/admin/exports?from=2001-01-01T00:00:00Z&to=2002-01-01T00:00:00Z');
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'payload_too_large',
      message: expect.stringContaining(String(MAX_EXPORT_SESSIONS + 1)) as unknown,
    });
    expect(await pg.open.db.selectFrom('jobs').select('id').execute()).toHaveLength(jobsBefore.length);

    expect((await post('/api/admin/exports?from=tomorrow')).status).toBe(400);
    expect((await get('/api/admin/exports/not-a-uuid/download')).status).toBe(404);
    expect((await get('/api/admin/exports/00000000-0000-4000-8000-000000000000/download')).status).toBe(404);
    // A worker's key is not an admin's.
    const asWorker = await app.request('/api/admin/exports', { headers: { 'x-api-key': bob.key } });
    expect(asWorker.status).toBe(403);
  });

  it('lists export jobs through the jobs-by-kind index, however many thumbnail jobs there are', async () => {
    await sql`insert into jobs (id, kind, payload, state, max_attempts, run_at, created_at, updated_at)
      select gen_random_uuid()::text, 'screenshot-thumbnails', '{"sessionId":"x"}', 'succeeded', 3, now(),
        now() - n * interval '1 second', now()
      from generate_series(1, 20000) as n`.execute(pg.open.db);
    await sql`analyze jobs`.execute(pg.open.db);
    // The statement listJobs runs for GET /api/admin/exports (kind, newest first, one more than the page).
    const plan = await sql<{ 'QUERY PLAN': string }>`explain select * from jobs where kind = ${DATASET_EXPORT_KIND}
      order by created_at desc, id desc limit 21`.execute(pg.open.db);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('jobs_kind_created_idx');
    expect(text).not.toMatch(/Seq Scan|Sort/);
    const listed = (await (await get('/api/admin/exports')).json()) as { exports: JobView[] };
    expect(listed.exports.length).toBeGreaterThan(0);
    expect(listed.exports.every((j) => j.kind === DATASET_EXPORT_KIND)).toBe(true);
  });

  it("keeps no file when the attempt is no longer the job's (lease lost, timed out) once written", async () => {
    const job = datasetExportJob({ db: pg.open.db, blobs });
    const outcome = await job.run(
      { format: 'dataset-jsonl', from: T0, to: T0 + 24 * HOUR },
      {
        // No running job has this id and attempt (a released or timed-out attempt looks the same).
        jobId: '00000000-0000-4000-8000-00000000e003',
        attempt: 1,
        clock: new FakeClock(),
        logger: createLogger('silent'),
        signal: new AbortController().signal,
        reportProgress: () => {},
      },
    );
    expect(outcome).toMatchObject({ ok: false, error: { code: 'attempt_over', permanent: true } });
    const files = await readdir(join(dir, 'blobs', 'exports'));
    expect(files.some((f) => f.includes('00000000-0000-4000-8000-00000000e003'))).toBe(false);
  });

  it('leaves no file when its attempt is over before it finished', async () => {
    const controller = new AbortController();
    controller.abort();
    const job = datasetExportJob({ db: pg.open.db, blobs });
    await expect(
      job.run(
        { format: 'dataset-jsonl', from: T0, to: T0 + 24 * HOUR },
        {
          jobId: '00000000-0000-4000-8000-00000000e002',
          attempt: 1,
          clock: new FakeClock(),
          logger: createLogger('silent'),
          signal: controller.signal,
          reportProgress: () => {},
        },
      ),
    ).rejects.toThrow();
    const files = await readdir(join(dir, 'blobs', 'exports')).catch(() => [] as string[]);
    expect(files.some((f) => f.includes('00000000-0000-4000-8000-00000000e002'))).toBe(false);
  });
});
