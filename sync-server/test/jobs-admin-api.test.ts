import { FakeClock } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_ARCHIVE_KIND } from '../src/jobs/archive/session-archive-job';
import { createJobQueue } from '../src/jobs/job-queue';
import { createServerJobRegistry } from '../src/jobs/server-job-kinds';
import type { JobView } from '../src/jobs/job-view';
import { APP_START_TIMEOUT_MS, createTestApp, type TestApp } from '../src/testing/app-harness';

/** The job admin API over a real (embedded) database: listing, filters, pages, one job, counts, auth. */

let t: TestApp;
let admin: string;
const ids: string[] = [];

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.adminToken();
  const clock = new FakeClock();
  const queue = createJobQueue({
    db: t.open.db,
    registry: createServerJobRegistry({ db: t.open.db, blobs: t.blobs, settings: t.settings }),
    clock,
  });
  // Five jobs a second apart, oldest first; the API lists newest first.
  for (let i = 0; i < 5; i++) {
    const r = await queue.enqueue(SESSION_ARCHIVE_KIND, { sessionId: `cs_jobs_${i}` });
    if (!r.ok) throw new Error(r.error.message);
    ids.push(r.value.job.id);
    await clock.advance(1000);
  }
  await t.open.db.updateTable('jobs').set({ state: 'failed', last_error: 'x' }).where('id', '=', ids[1]!).execute();
  await t.open.db
    .updateTable('jobs')
    .set({ state: 'succeeded', progress: 1 })
    .where('id', 'in', [ids[2]!, ids[3]!])
    .execute();
}, APP_START_TIMEOUT_MS);
afterAll(() => t?.close());

const get = async <T>(path: string) => {
  const res = await t.request(path, { bearer: admin });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

describe('job admin API', () => {
  it('lists jobs newest first, a page at a time', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { jobs: JobView[]; nextCursor: string | null } = await get(
        `/api/admin/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by state and kind', async () => {
    const succeeded = await get<{ jobs: JobView[] }>('/api/admin/jobs?state=succeeded');
    expect(succeeded.jobs.map((j) => j.id)).toEqual([ids[3], ids[2]]);
    const failed = await get<{ jobs: JobView[] }>('/api/admin/jobs?state=failed');
    expect(failed.jobs).toMatchObject([{ id: ids[1], state: 'failed', lastError: 'x' }]);
    expect((await get<{ jobs: JobView[] }>(`/api/admin/jobs?kind=${SESSION_ARCHIVE_KIND}`)).jobs).toHaveLength(5);
    expect((await get<{ jobs: JobView[] }>('/api/admin/jobs?kind=other-kind')).jobs).toHaveLength(0);
  });

  it('counts jobs by state', async () => {
    expect(await get('/api/admin/jobs/counts')).toEqual({ counts: { queued: 2, running: 0, succeeded: 2, failed: 1 } });
  });

  it('shows one job with its state, attempts, progress and timestamps', async () => {
    const { job } = await get<{ job: JobView }>(`/api/admin/jobs/${ids[0]}`);
    expect(job).toMatchObject({
      id: ids[0],
      kind: SESSION_ARCHIVE_KIND,
      state: 'queued',
      attempts: 0,
      maxAttempts: 3,
      progress: 0,
      result: null,
      lastError: null,
      payload: { sessionId: 'cs_jobs_0' },
      startedAt: null,
      finishedAt: null,
    });
    // Stamped by the queue's clock (the first job: the fake clock's start), not the database's.
    expect(Date.parse(job.createdAt)).toBe(new FakeClock().now());
    expect(job.runAt).toBe(job.createdAt);
  });

  it('answers bad queries 400 and unknown jobs 404', async () => {
    for (const query of ['state=done', 'limit=0', 'limit=1000', 'kind=Bad Kind', 'cursor=bm90LWEtY3Vyc29y']) {
      const res = await t.request(`/api/admin/jobs?${query}`, { bearer: admin });
      expect(res.status, query).toBe(400);
    }
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await t.request(`/api/admin/jobs/${id}`, { bearer: admin });
      expect(res.status, id).toBe(404);
    }
  });

  it('is for admins only', async () => {
    const worker = await t.createWorker('Worker');
    for (const path of ['/api/admin/jobs', '/api/admin/jobs/counts', `/api/admin/jobs/${ids[0]}`]) {
      expect((await t.request(path)).status, path).toBe(401);
      expect((await t.request(path, { bearer: worker.key })).status, path).toBe(403);
    }
  });
});
