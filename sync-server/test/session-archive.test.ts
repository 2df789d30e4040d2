import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ZipManifestSchema, type RecordedEvent } from '@codesight/schema';
import { FakeClock, sampleRecordedEvents } from '@codesight/schema/testing';
import { unzipSync } from 'fflate';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeyFor } from '../src/blobs/blob-key';
import { recordMediaChunk, recordScreenshot } from '../src/ingest/media-rows';
import { sessionArchiveJob, SESSION_ARCHIVE_KIND } from '../src/jobs/archive/session-archive-job';
import { createJobRunner } from '../src/jobs/job-runner';
import { claimJob } from '../src/jobs/job-store';
import { createServerJobRegistry } from '../src/jobs/server-job-kinds';
import type { JobView } from '../src/jobs/job-view';
import { createLogger } from '../src/log';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../src/testing/app-harness';

/**
 * The session archive job end to end on the embedded stack (PGlite, file-system blobs): enqueued over
 * the admin API, built by a job runner, downloaded, and compared byte for byte with what was stored.
 */

let t: TestApp;
let alice: { workerId: string; key: string };
let admin: string;

const SESSION = 'cs_archive';
const BROKEN = 'cs_archive_broken';
const T0 = 1_752_327_000_000;
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every medium stored, by the path the archive must give it, with its bytes. */
const stored = new Map<string, Uint8Array>();
let events: RecordedEvent[];

async function storeBlob(bytes: Uint8Array, mime: string) {
  const ref = { key: blobKeyFor(sha(bytes), mime), sha256: sha(bytes), bytes: bytes.byteLength, mime };
  await t.blobs.put(ref.key, bytes, mime);
  return ref;
}

async function seedSession(sessionId: string, eventCount: number) {
  const sessionEvents = sampleRecordedEvents(sessionId, eventCount);
  const res = await t.request('/api/sync/batch', {
    bearer: alice.key,
    json: {
      type: 'batch',
      v: 1,
      batchId: `b-${sessionId}`,
      sessionId,
      session: { startTime: T0, userAgent: 'Chrome/156', maskingPolicy: { version: '1', rules: ['password'] } },
      firstSequence: 1,
      lastSequence: eventCount,
      events: sessionEvents,
    },
  });
  expect(res.status).toBe(200);
  return sessionEvents;
}

/** The app enqueues on the system clock, so the runner's fake clock starts at the real now. */
const runnerFor = (clock = new FakeClock(Date.now())) =>
  createJobRunner({
    db: t.open.db,
    registry: createServerJobRegistry({ db: t.open.db, blobs: t.blobs, settings: t.settings }),
    clock,
    logger: createLogger('silent'),
    concurrency: 2,
    pollMs: 1000,
  });

beforeAll(async () => {
  t = await createTestApp();
  alice = await t.createWorker('Alice');
  admin = await t.adminToken();
  events = await seedSession(SESSION, 40);

  for (const [i, offset] of [0, 1500, 900].entries()) {
    const bytes = randomBytes(2000 + i);
    const blob = await storeBlob(bytes, 'image/webp');
    const recorded = await recordScreenshot(t.open.db, alice.workerId, {
      id: `shot-${i}`,
      sessionId: SESSION,
      timestamp: T0 + offset,
      triggerSequence: 4,
      blob,
      uploaded: true,
    });
    expect(recorded.ok).toBe(true);
  }
  for (const track of ['audio', 'video'] as const) {
    for (const index of [1, 0]) {
      // Larger than one read of the file store (64 KiB): copied in several pieces.
      const bytes = randomBytes(300_000 + index);
      const mime = track === 'audio' ? 'audio/webm;codecs=opus' : 'video/webm;codecs=vp9';
      const blob = await storeBlob(bytes, mime);
      const recorded = await recordMediaChunk(t.open.db, alice.workerId, track, {
        id: `${SESSION}-${track}-${index}`,
        sessionId: SESSION,
        chunkIndex: index,
        startTime: T0 + index * 1000,
        durationMs: 1000,
        blob,
        uploaded: true,
      });
      expect(recorded.ok).toBe(true);
      stored.set(`${track}/chunk-00000${index}.webm`, bytes);
    }
  }
  // Screenshots by time, numbered in the archive in that order.
  const rows = await t.open.db
    .selectFrom('screenshots')
    .select(['blob_key', 'timestamp'])
    .where('session_id', '=', SESSION)
    .orderBy('timestamp')
    .execute();
  for (const [index, row] of rows.entries()) {
    const bytes = await t.blobs.get(row.blob_key);
    stored.set(`screenshots/00000${index}-${row.timestamp.getTime()}.webp`, bytes!);
  }
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

const archivePath = (sessionId: string) => `/api/admin/sessions/${sessionId}/archive`;

describe('session archive', () => {
  it('is enqueued once, built by a runner, and downloads as a ZIP holding every stored medium byte for byte', async () => {
    const none = await t.request(archivePath(SESSION), { bearer: admin });
    expect(none.status).toBe(404);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(
      /POST .*archive to build one/,
    );

    const first = await t.request(archivePath(SESSION), { method: 'POST', bearer: admin });
    expect(first.status).toBe(202);
    const { job, created } = (await first.json()) as { job: JobView; created: boolean };
    expect(created).toBe(true);
    expect(job).toMatchObject({ kind: SESSION_ARCHIVE_KIND, state: 'queued', payload: { sessionId: SESSION } });
    const again = (await (await t.request(archivePath(SESSION), { method: 'POST', bearer: admin })).json()) as {
      job: JobView;
      created: boolean;
    };
    expect(again).toMatchObject({ created: false, job: { id: job.id } });

    const building = await t.request(archivePath(SESSION), { bearer: admin });
    expect(building.status).toBe(409);
    expect(((await building.json()) as { error: { message: string } }).error.message).toContain(job.id);

    const runner = runnerFor();
    expect(await runner.poll()).toBe(1);
    await runner.idle();
    const done = (await (await t.request(`/api/admin/jobs/${job.id}`, { bearer: admin })).json()) as { job: JobView };
    expect(done.job).toMatchObject({ state: 'succeeded', attempts: 1, progress: 1, lastError: null });
    const result = done.job.result as { bytes: number; sha256: string; blobKey: string; counts: unknown };
    expect(result.counts).toEqual({ events: 40, screenshots: 3, audioChunks: 2, videoChunks: 2 });

    const download = await t.request(archivePath(SESSION), { bearer: admin });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    const zipBytes = new Uint8Array(await download.arrayBuffer());
    expect(zipBytes.byteLength).toBe(result.bytes);
    expect(sha(zipBytes)).toBe(result.sha256);
    expect(download.headers.get('x-archive-sha256')).toBe(result.sha256);

    const entries = unzipSync(zipBytes);
    const mediaPaths = Object.keys(entries).filter((p) => /^(screenshots|audio|video)\//.test(p));
    expect(mediaPaths.sort()).toEqual([...stored.keys()].sort());
    for (const [path, bytes] of stored) expect(sha(entries[path]!), path).toBe(sha(bytes));

    const lines = new TextDecoder().decode(entries['events.jsonl']).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as RecordedEvent).sequence)).toEqual(events.map((e) => e.sequence));
    const legacy = JSON.parse(new TextDecoder().decode(entries['session.json'])) as { events: unknown[] };
    expect(legacy.events).toHaveLength(40);

    const manifest = v.parse(ZipManifestSchema, JSON.parse(new TextDecoder().decode(entries['manifest.json'])));
    expect(manifest.counts).toEqual({ events: 40, screenshots: 3, audioChunks: 2, videoChunks: 2 });
    expect(manifest.timeline.map((e) => e.path).sort()).toEqual([...stored.keys()].sort());
    for (const file of manifest.files) expect(sha(entries[file.path]!), file.path).toBe(file.sha256);
    expect(manifest.files.map((f) => f.path)).toEqual(['events.jsonl', 'session.json']);

    // The job is no longer live: asking again builds a new archive.
    const rebuild = (await (await t.request(archivePath(SESSION), { method: 'POST', bearer: admin })).json()) as {
      created: boolean;
    };
    expect(rebuild.created).toBe(true);
    await runner.poll();
    await runner.idle();
  });

  it('reports progress that rises to the end while it builds', async () => {
    const progress: number[] = [];
    const clock = new FakeClock(Date.now());
    await t.request(archivePath(SESSION), { method: 'POST', bearer: admin });
    // Claimed by hand: the test is the runner, and calls the handler itself.
    const claimed = await claimJob(t.open.db, {
      owner: 'test',
      kinds: [SESSION_ARCHIVE_KIND],
      now: clock.now(),
      leaseMs: 60_000,
    });
    const job = sessionArchiveJob({
      db: t.open.db,
      blobs: t.blobs,
      maxScreenshotsPerSession: 100,
      maxChunksPerSession: 100,
    });
    const result = await job.run(
      { sessionId: SESSION },
      {
        jobId: claimed!.id,
        attempt: claimed!.attempts,
        clock,
        logger: createLogger('silent'),
        signal: new AbortController().signal,
        reportProgress: (p) => progress.push(p),
      },
    );
    expect(result.ok).toBe(true);
    expect(progress.length).toBeGreaterThan(5);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress[0]).toBeGreaterThan(0);
    expect(progress.at(-1)).toBeGreaterThan(0.9);
    expect(progress.at(-1)).toBeLessThanOrEqual(1);
  });

  it("records nothing, and removes its file, when the attempt is no longer the job's", async () => {
    const before = await t.open.db.selectFrom('session_archives').select('id').execute();
    const job = sessionArchiveJob({
      db: t.open.db,
      blobs: t.blobs,
      maxScreenshotsPerSession: 100,
      maxChunksPerSession: 100,
    });
    const result = await job.run(
      { sessionId: SESSION },
      {
        // No running job has this id and attempt (a released or timed-out attempt looks the same).
        jobId: '00000000-0000-4000-8000-000000000003',
        attempt: 1,
        clock: new FakeClock(),
        logger: createLogger('silent'),
        signal: new AbortController().signal,
        reportProgress: () => {},
      },
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'attempt_over' } });
    expect(await t.open.db.selectFrom('session_archives').select('id').execute()).toEqual(before);
    const files = await readdir(join(t.dir, 'blobs', 'archives', SESSION));
    expect(files.some((f) => f.startsWith('00000000-0000-4000-8000-000000000003'))).toBe(false);
  });

  it('refuses a session over the media limits before reading anything', async () => {
    const job = sessionArchiveJob({
      db: t.open.db,
      blobs: t.blobs,
      maxScreenshotsPerSession: 2,
      maxChunksPerSession: 100,
    });
    const context = {
      jobId: '00000000-0000-4000-8000-000000000002',
      attempt: 1,
      clock: new FakeClock(),
      logger: createLogger('silent'),
      signal: new AbortController().signal,
      reportProgress: () => {},
    };
    expect(await job.run({ sessionId: SESSION }, context)).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large', permanent: true },
    });
  });

  it('fails, retried with backoff, when a stored medium no longer matches its row, and says so', async () => {
    await seedSession(BROKEN, 3);
    const good = randomBytes(500);
    const blob = await storeBlob(good, 'image/webp');
    await recordScreenshot(t.open.db, alice.workerId, { sessionId: BROKEN, timestamp: T0, blob, uploaded: true });
    // Same size, other bytes: the store no longer holds what was verified.
    await t.blobs.delete(blob.key);
    await t.blobs.put(blob.key, randomBytes(500), 'image/webp');

    const posted = (await (await t.request(archivePath(BROKEN), { method: 'POST', bearer: admin })).json()) as {
      job: JobView;
    };
    const clock = new FakeClock(Date.now());
    const runner = runnerFor(clock);
    for (let attempt = 0; attempt < 3; attempt++) {
      await runner.poll();
      await runner.idle();
      // DEFAULT_BACKOFF: 5 s, then 10 s.
      await clock.advance(10_000);
    }
    const res = await t.request(`/api/admin/jobs/${posted.job.id}`, { bearer: admin });
    const { job } = (await res.json()) as { job: JobView };
    expect(job).toMatchObject({ state: 'failed', attempts: 3 });
    expect(job.lastError).toMatch(/does not match its row/);

    const download = await t.request(archivePath(BROKEN), { bearer: admin });
    expect(download.status).toBe(409);
    expect(((await download.json()) as { error: { message: string } }).error.message).toMatch(
      /last archive build failed .*does not match its row/,
    );
    // No partial archive was left in the store.
    const dir = join(t.dir, 'blobs', 'archives', BROKEN);
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });

  it('is for admins only, and 404 for a session that does not exist', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await t.request(archivePath(SESSION), { method, bearer: alice.key });
      expect(res.status, method).toBeGreaterThanOrEqual(401);
      expect(res.status, method).toBeLessThanOrEqual(403);
      const missing = await t.request(archivePath('cs_nobody'), { method, bearer: admin });
      expect(missing.status, method).toBe(404);
    }
  });
});
