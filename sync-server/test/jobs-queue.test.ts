import { ok, type Result } from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import { sql } from 'kysely';
import * as v from 'valibot';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobRow } from '../src/db/schema';
import { defineJobKind, type JobContext, type JobFailure } from '../src/jobs/job-kind';
import { MAX_RESULT_BYTES } from '../src/jobs/job-attempt';
import { createJobQueue, type JobQueue } from '../src/jobs/job-queue';
import { createJobRegistry, MAX_PAYLOAD_BYTES } from '../src/jobs/job-registry';
import { createJobRunner, SWEEP_CHUNK, SWEEP_EVERY_MS, SWEEP_MAX_CHUNKS, type JobRunner } from '../src/jobs/job-runner';
import { claimJob, getJob, LEASE_EXPIRED } from '../src/jobs/job-store';
import { createLogger } from '../src/log';
import { startPgliteEngine, startPostgresEngine, type JobEngine } from './testing/job-engines';

/**
 * The job queue on both engines it runs on: PostgreSQL shared by several instances, and the embedded
 * PGlite. Time is a FakeClock: leases, timeouts and backoff move only when a test advances it.
 */

type Behaviour = (payload: { n: number }, context: JobContext) => Promise<Result<unknown, JobFailure>>;

let behaviour: Behaviour = () => Promise.resolve(ok({ done: true }));
const BACKOFF = { baseMs: 1000, maxMs: 8000 };
const TIMEOUT_MS = 60_000;
const LEASE_MS = 9000;
/** probe's finished jobs are deleted after this; keeper's never. */
const KEEP_MS = 2 * SWEEP_EVERY_MS;

const probe = defineJobKind({
  kind: 'probe',
  payload: v.object({ n: v.pipe(v.number(), v.integer()) }),
  timeoutMs: TIMEOUT_MS,
  maxAttempts: 3,
  backoff: BACKOFF,
  keepFinishedMs: KEEP_MS,
  run: (payload, context) => behaviour(payload, context),
});
const keeper = defineJobKind({
  kind: 'keeper',
  payload: v.object({ n: v.number() }),
  timeoutMs: TIMEOUT_MS,
  maxAttempts: 1,
  backoff: BACKOFF,
  run: () => Promise.resolve(ok({ kept: true })),
});
const registry = createJobRegistry([probe, keeper]);
const logger = createLogger('silent');

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const engines: [string, () => Promise<JobEngine>][] = [
  ['PostgreSQL', startPostgresEngine],
  ['PGlite', startPgliteEngine],
];

describe.each(engines)('job queue on %s', (_name, startEngine) => {
  let engine: JobEngine;
  let clock: FakeClock;
  let queue: JobQueue;
  const runners: JobRunner[] = [];

  beforeAll(async () => {
    engine = await startEngine();
  });
  afterAll(async () => {
    await engine?.stop();
  });
  beforeEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop(0)));
    await engine.db().db.deleteFrom('jobs').execute();
    clock = new FakeClock();
    queue = createJobQueue({ db: engine.db().db, registry, clock });
    behaviour = () => Promise.resolve(ok({ done: true }));
  });

  const runner = (
    owner: string,
    db = engine.db().db,
    runnerClock: FakeClock | ReturnType<FakeClock['scope']> = clock,
  ) => {
    const r = createJobRunner({
      db,
      registry,
      clock: runnerClock,
      logger,
      concurrency: 3,
      pollMs: 1000,
      leaseMs: LEASE_MS,
      owner,
    });
    runners.push(r);
    return r;
  };
  const enqueue = async (n: number, dedupeKey?: string): Promise<JobRow> => {
    const r = await queue.enqueue('probe', { n }, dedupeKey === undefined ? {} : { dedupeKey });
    if (!r.ok) throw new Error(r.error.message);
    return r.value.job;
  };
  const job = async (id: string) => {
    const row = await getJob(engine.db().db, id);
    if (!row) throw new Error(`no job ${id}`);
    return row;
  };

  it('runs each job exactly once when two instances compete for them', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, n) => enqueue(n).then((j) => j.id)));
    const runs = new Map<number, number>();
    let concurrent = 0;
    let maxConcurrent = 0;
    behaviour = async ({ n }) => {
      runs.set(n, (runs.get(n) ?? 0) + 1);
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      // A round trip to the database lets the other instance's claims interleave with this attempt.
      await engine.db().db.selectFrom('jobs').select('id').limit(1).execute();
      concurrent--;
      return ok({ n });
    };
    const a = runner('instance-a');
    const b = runner('instance-b', (await engine.another()).db);
    for (let round = 0; round < 20; round++) {
      await Promise.all([a.poll(), b.poll(), a.poll(), b.poll()]);
      await Promise.all([a.idle(), b.idle()]);
      const states = await Promise.all(ids.map((id) => job(id).then((j) => j.state)));
      if (states.every((s) => s === 'succeeded')) break;
    }
    expect([...runs.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, n) => n));
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(maxConcurrent).toBeGreaterThan(1);
    for (const id of ids) expect(await job(id)).toMatchObject({ state: 'succeeded', attempts: 1, progress: 1 });
  });

  it('runs a job again after its runner died, once the lease expired, and ignores the dead runner', async () => {
    const { id } = await enqueue(1);
    const hang = gate();
    behaviour = async () => {
      await hang.opened;
      return ok({ by: 'dead' });
    };
    // The dead instance's timers stop with it: no lease renewal, no timeout.
    const deadClock = clock.scope();
    const dead = runner('dead', engine.db().db, deadClock);
    expect(await dead.poll()).toBe(1);
    expect(await job(id)).toMatchObject({ state: 'running', lease_owner: 'dead', attempts: 1 });
    deadClock.dispose();

    behaviour = () => Promise.resolve(ok({ by: 'survivor' }));
    const survivor = runner('survivor');
    await clock.advance(LEASE_MS - 1);
    expect(await survivor.poll()).toBe(0);
    expect(await job(id)).toMatchObject({ state: 'running', lease_owner: 'dead' });
    await clock.advance(1);
    await survivor.poll();
    expect(await job(id)).toMatchObject({ state: 'queued', attempts: 1, last_error: LEASE_EXPIRED });
    await clock.advance(BACKOFF.baseMs);
    expect(await survivor.poll()).toBe(1);
    await survivor.idle();
    expect(await job(id)).toMatchObject({ state: 'succeeded', attempts: 2, result: { by: 'survivor' } });

    // The dead runner's handler returning late must not overwrite the survivor's outcome.
    hang.open();
    await dead.idle();
    expect(await job(id)).toMatchObject({ state: 'succeeded', result: { by: 'survivor' } });
  });

  it('retries a failing job with exponential backoff, then fails it for good', async () => {
    const { id } = await enqueue(2);
    let calls = 0;
    behaviour = () => {
      calls++;
      return Promise.reject(new Error(`broken ${calls}`));
    };
    const r = runner('solo');
    const start = clock.now();
    expect(await r.poll()).toBe(1);
    await r.idle();
    expect(await job(id)).toMatchObject({ state: 'queued', attempts: 1, last_error: 'error: broken 1' });
    expect((await job(id)).run_at.getTime()).toBe(start + 1000);

    await clock.advance(999);
    expect(await r.poll()).toBe(0);
    await clock.advance(1);
    expect(await r.poll()).toBe(1);
    await r.idle();
    expect((await job(id)).run_at.getTime()).toBe(start + 1000 + 2000);

    await clock.advance(1999);
    expect(await r.poll()).toBe(0);
    await clock.advance(1);
    expect(await r.poll()).toBe(1);
    await r.idle();
    const final = await job(id);
    expect(final).toMatchObject({ state: 'failed', attempts: 3, last_error: 'error: broken 3', lease_owner: null });
    expect(final.finished_at?.getTime()).toBe(start + 3000);
    await clock.advance(60_000);
    expect(await r.poll()).toBe(0);
    expect(calls).toBe(3);
  });

  it('fails a permanent failure at once, without retries', async () => {
    const { id } = await enqueue(3);
    behaviour = () =>
      Promise.resolve({ ok: false, error: { code: 'gone', message: 'nothing to do', permanent: true } });
    const r = runner('solo');
    await r.poll();
    await r.idle();
    expect(await job(id)).toMatchObject({ state: 'failed', attempts: 1, last_error: 'gone: nothing to do' });
  });

  it('fails a job whose result is too large to keep, rather than store it', async () => {
    const { id } = await enqueue(13);
    behaviour = () => Promise.resolve(ok({ dump: 'x'.repeat(MAX_RESULT_BYTES) }));
    const r = runner('solo');
    await r.poll();
    await r.idle();
    expect(await job(id)).toMatchObject({ state: 'failed', attempts: 1, result: null });
    expect((await job(id)).last_error).toMatch(/^result_too_large/);
  });

  it('times an attempt out, aborts its handler and counts it as a failure', async () => {
    const { id } = await enqueue(4);
    let signalled = false;
    behaviour = (_payload, context) =>
      new Promise((resolve) =>
        context.signal.addEventListener('abort', () => {
          signalled = true;
          resolve(ok({ late: true }));
        }),
      );
    const r = runner('solo');
    await r.poll();
    // Lease renewals on the way keep it ours until the timeout.
    await clock.advance(TIMEOUT_MS - 1);
    expect(await job(id)).toMatchObject({ state: 'running' });
    await clock.advance(1);
    await r.idle();
    expect(signalled).toBe(true);
    const row = await job(id);
    expect(row).toMatchObject({ state: 'queued', attempts: 1, lease_owner: null });
    expect(row.last_error).toMatch(/^timeout: attempt took longer than 60000 ms/);
  });

  it('records progress while a job runs', async () => {
    const { id } = await enqueue(5);
    const hold = gate();
    behaviour = async (_payload, context) => {
      context.reportProgress(0.25);
      await hold.opened;
      return ok({});
    };
    const r = runner('solo');
    await r.poll();
    await expect.poll(async () => (await job(id)).progress, { timeout: 20_000 }).toBe(0.25);
    hold.open();
    await r.idle();
    expect(await job(id)).toMatchObject({ state: 'succeeded', progress: 1 });
  });

  it('keeps queued jobs across a restart of every instance', async () => {
    const { id } = await enqueue(6);
    await engine.restart();
    const r = runner('after-restart');
    expect(await r.poll()).toBe(1);
    await r.idle();
    expect(await job(id)).toMatchObject({ state: 'succeeded', attempts: 1 });
  });

  it('hands a running job back on shutdown when it does not finish in time', async () => {
    const { id } = await enqueue(7);
    const hold = gate();
    let aborted = false;
    behaviour = async (_payload, context) => {
      context.signal.addEventListener('abort', () => (aborted = true));
      await hold.opened;
      return ok({});
    };
    const r = runner('stopping');
    await r.poll();
    const stopped = r.stop(5000);
    await clock.advance(5000);
    hold.open();
    await stopped;
    expect(aborted).toBe(true);
    expect(await job(id)).toMatchObject({ state: 'queued', attempts: 0, lease_owner: null });
    expect(await r.poll()).toBe(0);
  });

  it('lets a running job finish on shutdown when it does in time', async () => {
    const { id } = await enqueue(8);
    const hold = gate();
    behaviour = async () => {
      await hold.opened;
      return ok({ finished: true });
    };
    const r = runner('stopping');
    await r.poll();
    const stopped = r.stop(5000);
    hold.open();
    await stopped;
    expect(await job(id)).toMatchObject({ state: 'succeeded', result: { finished: true } });
  });

  it('lets workers take turns: one worker\u2019s many jobs do not hold back another\u2019s (regression: first in, first out)', async () => {
    const add = async (n: number, ownerKey?: string) => {
      await clock.advance(1); // distinct run_at: ties in rank go oldest first
      const queued = await queue.enqueue('probe', { n }, ownerKey === undefined ? {} : { ownerKey });
      if (!queued.ok) throw new Error(queued.error.message);
    };
    const claimNext = async () => {
      const row = await claimJob(engine.db().db, { owner: 'r', kinds: ['probe'], now: clock.now(), leaseMs: LEASE_MS });
      return row === undefined ? undefined : (row.payload as { n: number }).n;
    };
    // A flood of five jobs from one worker, then one job of another worker and one of an operator.
    for (let n = 1; n <= 5; n++) await add(n, 'worker:flood');
    await add(100, 'worker:b');
    await add(200);
    const first = [await claimNext(), await claimNext(), await claimNext(), await claimNext()];
    expect(first).toEqual([1, 100, 200, 2]);
    // The other worker queues again while the flood still waits: next in line, not behind the flood.
    await add(101, 'worker:b');
    const rest: number[] = [];
    for (let n = await claimNext(); n !== undefined; n = await claimNext()) rest.push(n);
    expect(rest).toEqual([3, 101, 4, 5]);
    // With nobody else waiting, a lone worker's jobs all run, oldest first.
    for (let n = 6; n <= 8; n++) await add(n, 'worker:flood');
    expect([await claimNext(), await claimNext(), await claimNext(), await claimNext()]).toEqual([6, 7, 8, undefined]);
  });

  it('enqueues once per dedupe key while the job is live, and again after it finished', async () => {
    const first = await queue.enqueue('probe', { n: 9 }, { dedupeKey: 'probe:9' });
    const again = await queue.enqueue('probe', { n: 10 }, { dedupeKey: 'probe:9' });
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(first.value.created).toBe(true);
    expect(again.value).toMatchObject({ created: false, job: { id: first.value.job.id } });
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => queue.enqueue('probe', { n: 11 }, { dedupeKey: 'probe:11' })),
    );
    const ids = new Set(concurrent.map((r) => (r.ok ? r.value.job.id : 'error')));
    expect(ids.size).toBe(1);
    expect(ids.has('error')).toBe(false);

    const r = runner('solo');
    await r.poll();
    await r.idle();
    const later = await queue.enqueue('probe', { n: 9 }, { dedupeKey: 'probe:9' });
    expect(later.ok && later.value.created).toBe(true);
  });

  it('deletes finished jobs past their kind\u2019s keepFinishedMs, at most every SWEEP_EVERY_MS, keeping live jobs and kinds that keep theirs', async () => {
    const succeeded = await enqueue(1);
    const failing = await enqueue(2);
    const kept = await queue.enqueue('keeper', { n: 3 });
    if (!kept.ok) throw new Error(kept.error.message);
    behaviour = (payload) =>
      Promise.resolve(
        payload.n === 2 ? { ok: false, error: { code: 'nope', message: 'no', permanent: true } } : ok({}),
      );
    const r = runner('sweeper');
    await r.poll();
    await r.idle();
    expect((await job(succeeded.id)).state).toBe('succeeded');
    expect((await job(failing.id)).state).toBe('failed');
    const waiting = await queue.enqueue('probe', { n: 4 }, { delayMs: 24 * 60 * 60 * 1000 });
    if (!waiting.ok) throw new Error(waiting.error.message);
    const ids = [succeeded.id, failing.id, kept.value.job.id, waiting.value.job.id];
    const present = async () =>
      (await Promise.all(ids.map((id) => getJob(engine.db().db, id)))).map((row) => row !== undefined);

    // A sweep later: the finished probes are not old enough yet.
    await clock.advance(KEEP_MS - 1000);
    await r.poll();
    expect(await present()).toEqual([true, true, true, true]);
    // Old enough now, but the last sweep was a second ago.
    await clock.advance(2000);
    await r.poll();
    expect(await present()).toEqual([true, true, true, true]);
    // The next sweep deletes both finished probes; the keeper's job and the queued probe stay.
    await clock.advance(SWEEP_EVERY_MS);
    await r.poll();
    expect(await present()).toEqual([false, false, true, true]);
  });

  // Hole closed: runners swept hourly, at most 10,000 rows per kind, while 1,000 recording workers make
  // ~60,000 thumbnail jobs an hour: the finished jobs outgrew every sweep and the table grew without end.
  it('sweeps a backlog past one sweep\u2019s bound on the next sweeps, fast enough for 1,000 recording workers', async () => {
    const perHour = SWEEP_CHUNK * SWEEP_MAX_CHUNKS * ((60 * 60 * 1000) / SWEEP_EVERY_MS);
    expect(perHour).toBeGreaterThanOrEqual(2 * 60_000);
    const bound = SWEEP_CHUNK * SWEEP_MAX_CHUNKS;
    const finished = new Date(clock.now());
    await sql`insert into jobs (id, kind, payload, state, max_attempts, run_at, created_at, updated_at, finished_at)
      select 'backlog-' || n, 'probe', '{"n":0}'::jsonb, 'succeeded', 1, ${finished}, ${finished}, ${finished}, ${finished}
      from generate_series(1, ${bound + 500}) as n`.execute(engine.db().db);
    const count = async () =>
      Number(
        (
          await engine
            .db()
            .db.selectFrom('jobs')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    await clock.advance(KEEP_MS + 1000);
    const r = runner('backlog');
    await r.poll();
    expect(await count()).toBe(500);
    await clock.advance(SWEEP_EVERY_MS);
    await r.poll();
    expect(await count()).toBe(0);
  });

  it('refuses an invalid, oversized or unknown job before storing anything', async () => {
    expect(await queue.enqueue('probe', { n: 'one' })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    expect(await queue.enqueue('probe', { n: 1, pad: 'x'.repeat(MAX_PAYLOAD_BYTES) })).toMatchObject({
      ok: false,
      error: { code: 'payload_too_large' },
    });
    expect(await queue.enqueue('nope', { n: 1 })).toMatchObject({ ok: false, error: { code: 'unknown_kind' } });
    const { count } = await engine
      .db()
      .db.selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBe(0);
  });

  it('fails a stored payload that no longer validates without running it', async () => {
    let ran = false;
    behaviour = () => {
      ran = true;
      return Promise.resolve(ok({}));
    };
    const { id } = await enqueue(12);
    await engine.db().db.updateTable('jobs').set({ payload: '{"n":"twelve"}' }).where('id', '=', id).execute();
    const r = runner('solo');
    await r.poll();
    await r.idle();
    expect(ran).toBe(false);
    expect(await job(id)).toMatchObject({ state: 'failed', attempts: 1 });
  });
});
