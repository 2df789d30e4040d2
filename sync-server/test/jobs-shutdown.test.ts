import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { signAdminToken } from '../src/auth/admin-token';
import type { JobView } from '../src/jobs/job-view';
import { runMain, type MainProcess } from './testing/main-process';

/**
 * SIGTERM while a job runs, in the server process as `npm start` runs it: the runner takes no new job,
 * waits its bounded time, then hands the unfinished job back to the queue (the attempt not counted),
 * and the process still exits 0. The job is held mid-build deterministically: the test locks the
 * session's row, which the archive's final insert into session_archives (a foreign key to it) waits on.
 */

const JWT_SECRET = 'jobs-shutdown-secret-0123456789abcdef0123';
const SESSION = 'cs_shutdown';
let cluster: PostgresCluster;
let dir: string;
let server: MainProcess;
let base: string;
let locker: pg.Client;

beforeAll(async () => {
  cluster = await startPostgres();
  dir = await mkdtemp(join(tmpdir(), 'jobs-shutdown-'));
  server = runMain({
    DATABASE_URL: cluster.url,
    DATA_DIR: dir,
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET,
    JOBS_POLL_MS: '100',
    LOG_LEVEL: 'info',
  });
  base = /on (http:\/\/\S+) /.exec(await server.banner())![1]!;
  locker = new pg.Client({ connectionString: cluster.url });
  await locker.connect();
});
afterAll(async () => {
  server?.kill();
  await locker?.end().catch(() => {});
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('job runner on SIGTERM', () => {
  it('hands a job that does not finish in time back to the queue and exits 0', async () => {
    const batch = await fetch(`${base}/api/sync/batch`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-key-dev', 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'batch',
        v: 1,
        batchId: 'b1',
        sessionId: SESSION,
        session: { startTime: 1_752_327_000_000, userAgent: 'Chrome/156', maskingPolicy: { version: '1', rules: [] } },
        firstSequence: 1,
        lastSequence: 5,
        events: sampleRecordedEvents(SESSION, 5),
      }),
    });
    expect(batch.status).toBe(200);

    await locker.query('begin');
    await locker.query('select id from sessions where id = $1 for update', [SESSION]);
    const admin = await signAdminToken(JWT_SECRET, 'shutdown-test', '10m');
    const posted = await fetch(`${base}/api/admin/sessions/${SESSION}/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(posted.status).toBe(202);
    const { job } = (await posted.json()) as { job: JobView };
    const state = async () =>
      (
        await locker.query<{ state: string; attempts: number }>('select state, attempts from jobs where id = $1', [
          job.id,
        ])
      ).rows[0];
    // Waiting on the lock: the archive is built and stored, its row not yet written.
    await expect.poll(state, { timeout: 30_000, interval: 100 }).toEqual({ state: 'running', attempts: 1 });

    server.child.kill('SIGTERM');
    // After the runner's bounded wait the job is back in the queue, its attempt not counted.
    await expect.poll(state, { timeout: 40_000, interval: 200 }).toEqual({ state: 'queued', attempts: 0 });
    await locker.query('rollback');
    expect(await server.exited).toBe(0);
    const lines = server
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; jobId?: string; released?: boolean });
    expect(lines.find((l) => l.event === 'jobs_interrupted')).toBeDefined();
    expect(lines.find((l) => l.event === 'job_released' && l.jobId === job.id)).toMatchObject({ released: true });
    expect((await state())?.state).toBe('queued');
    // The abandoned attempt got past the lock after the hand-back: it recorded no archive.
    const archives = await locker.query('select id from session_archives where session_id = $1', [SESSION]);
    expect(archives.rows).toEqual([]);
  });
});
