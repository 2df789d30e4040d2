import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database, JobRow } from '../db/schema';
import { toJsonb, toJsonbOrNull } from '../db/jsonb';
import { DEFAULT_BACKOFF } from './backoff';
import type { JobRegistry } from './job-registry';
import { afterFailure, type NextState } from './job-transitions';

/**
 * The job table's statements. Every change to a running job is fenced by its lease: the runner that
 * claimed it (`owner`) and the attempt number it claimed, so a runner that lost its lease (it stalled
 * past the expiry and another runner took the job over) can no longer write progress or an outcome.
 * Times come from the caller's clock, never the database's `now()`: one clock for the whole queue, and
 * tests drive it.
 */

/** Which attempt of which job a runner holds. */
export interface LeaseFence {
  id: string;
  owner: string;
  attempt: number;
}

/** A validated job to insert (see {@link JobRegistry.validate}). */
export interface NewJobRequest {
  kind: string;
  payload: unknown;
  maxAttempts: number;
  dedupeKey?: string | undefined;
  now: number;
  /** The job is due this many ms after `now` (default 0). */
  delayMs?: number;
  /** Whose work it is (see {@link fairRank}); undefined for an operator's job. */
  ownerKey?: string | undefined;
}

/**
 * A new job's fair-share rank: one above its owner's highest live (queued or running) job, and never
 * below the lowest queued rank, so an owner with nothing queued starts level with the queue's head and
 * owners take turns however many jobs one of them queued (start-time fair queuing, with the lowest
 * queued rank as virtual time). An operator's job (no owner) starts level with the head. Both reads are
 * index lookups.
 */
function fairRank(ownerKey: string | undefined) {
  const head = sql<string>`coalesce((select min(fair_rank) from jobs where state = 'queued'), 0)`;
  if (ownerKey === undefined) return head;
  return sql<string>`greatest(${head}, coalesce((select max(fair_rank) + 1 from jobs
    where owner_key = ${ownerKey} and state in ('queued', 'running')), 0))`;
}

/** States in which a job holds its dedupe key. */
const LIVE_STATES = ['queued', 'running'] as const;

/** Tries of insert-or-find: the live job can finish between the insert's conflict and the lookup. */
const ENQUEUE_TRIES = 3;

/**
 * Inserts the job, or returns the live (queued or running) job with the same dedupe key. `created` says
 * which. Idempotent: any number of concurrent calls with one key leave one live job.
 */
export async function insertJob(
  db: Kysely<Database>,
  request: NewJobRequest,
): Promise<{ job: JobRow; created: boolean }> {
  const at = new Date(request.now);
  for (let i = 0; i < ENQUEUE_TRIES; i++) {
    const inserted = await db
      .insertInto('jobs')
      .values({
        id: randomUUID(),
        kind: request.kind,
        payload: toJsonb(request.payload),
        state: 'queued',
        dedupe_key: request.dedupeKey ?? null,
        owner_key: request.ownerKey ?? null,
        fair_rank: fairRank(request.ownerKey),
        max_attempts: request.maxAttempts,
        run_at: new Date(request.now + (request.delayMs ?? 0)),
        created_at: at,
        updated_at: at,
      })
      // The conflict target names the partial unique index's predicate, or PostgreSQL will not use it.
      .onConflict((oc) =>
        oc.column('dedupe_key').where('dedupe_key', 'is not', null).where('state', 'in', LIVE_STATES).doNothing(),
      )
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { job: inserted, created: true };
    const live = await db
      .selectFrom('jobs')
      .selectAll()
      .where('dedupe_key', '=', request.dedupeKey ?? null)
      .where('state', 'in', LIVE_STATES)
      .executeTakeFirst();
    if (live) return { job: live, created: false };
  }
  throw new Error(`enqueue of ${request.kind} kept conflicting on dedupe key ${request.dedupeKey}`);
}

/**
 * Takes the due queued job of one of `kinds` with the lowest fair-share rank ({@link fairRank}), the
 * oldest among equals, for `owner`: state running, one more attempt, a lease until `now + leaseMs`.
 * `SKIP LOCKED`: runners polling at once each get a different job (or none) instead of queueing on one
 * row's lock.
 */
export async function claimJob(
  db: Kysely<Database>,
  options: { owner: string; kinds: readonly string[]; now: number; leaseMs: number },
): Promise<JobRow | undefined> {
  if (options.kinds.length === 0) return undefined;
  const at = new Date(options.now);
  return db
    .updateTable('jobs')
    .set((eb) => ({
      state: 'running',
      attempts: eb('attempts', '+', 1),
      lease_owner: options.owner,
      lease_expires_at: new Date(options.now + options.leaseMs),
      started_at: at,
      updated_at: at,
      progress: 0,
    }))
    .where('id', '=', (eb) =>
      eb
        .selectFrom('jobs')
        .select('id')
        .where('state', '=', 'queued')
        .where('run_at', '<=', at)
        .where('kind', 'in', options.kinds)
        .orderBy('fair_rank')
        .orderBy('run_at')
        .orderBy('id')
        .limit(1)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Most expired leases handled per poll: the rest wait for the next one. */
const REAP_BATCH = 20;

/** The message of an attempt whose runner vanished. */
export const LEASE_EXPIRED = 'lease expired: the runner stopped (crash, kill, lost database) before the attempt ended';

/**
 * Ends the attempts whose lease expired (their runner died or stalled): each counts as failed and is
 * queued again after its kind's backoff, or failed for good when it was the last. Returns how many.
 */
export async function reapExpiredLeases(db: Kysely<Database>, registry: JobRegistry, now: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const expired = await trx
      .selectFrom('jobs')
      .select(['id', 'kind', 'attempts', 'max_attempts'])
      .where('state', '=', 'running')
      .where('lease_expires_at', '<=', new Date(now))
      .orderBy('lease_expires_at')
      .limit(REAP_BATCH)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const job of expired) {
      const policy = registry.get(job.kind)?.backoff ?? DEFAULT_BACKOFF;
      const next = afterFailure({ attempts: job.attempts, maxAttempts: job.max_attempts }, LEASE_EXPIRED, now, policy);
      await trx
        .updateTable('jobs')
        .set({ ...stateColumns(next), lease_owner: null, lease_expires_at: null, updated_at: new Date(now) })
        .where('id', '=', job.id)
        .execute();
    }
    return expired.length;
  });
}

/** The columns that {@link NextState} sets. */
function stateColumns(next: NextState) {
  switch (next.state) {
    case 'succeeded':
      return {
        state: next.state,
        finished_at: new Date(next.finishedAt),
        progress: next.progress,
        result: toJsonbOrNull(next.result),
      };
    case 'queued':
      return { state: next.state, run_at: new Date(next.runAt), last_error: next.lastError };
    case 'failed':
      return { state: next.state, finished_at: new Date(next.finishedAt), last_error: next.lastError };
  }
}

/** Narrows an update to the attempt `fence` holds, while it is still running. */
function fenced(db: Kysely<Database>, fence: LeaseFence) {
  return db
    .updateTable('jobs')
    .where('id', '=', fence.id)
    .where('state', '=', 'running')
    .where('lease_owner', '=', fence.owner)
    .where('attempts', '=', fence.attempt);
}

async function applied(update: Promise<{ numUpdatedRows: bigint }>): Promise<boolean> {
  return (await update).numUpdatedRows > 0n;
}

/**
 * Deletes up to `limit` finished jobs of `kind` that finished before `before`; returns how many. The
 * `created_at` bound is implied by the `finished_at` one (a job finishes after it is made) and lets
 * the (kind, created_at) index find the candidates instead of reading every job of the kind.
 */
export async function deleteFinishedJobs(
  db: Kysely<Database>,
  kind: string,
  before: number,
  limit: number,
): Promise<number> {
  const cutoff = new Date(before);
  const result = await db
    .deleteFrom('jobs')
    .where(
      'id',
      'in',
      db
        .selectFrom('jobs')
        .select('id')
        .where('kind', '=', kind)
        .where('created_at', '<', cutoff)
        .where('state', 'in', ['succeeded', 'failed'])
        .where('finished_at', '<', cutoff)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Writes the attempt's outcome; false when the lease was lost meanwhile (the outcome is dropped). */
export function finishAttempt(db: Kysely<Database>, fence: LeaseFence, next: NextState, now: number): Promise<boolean> {
  return applied(
    fenced(db, fence)
      .set({ ...stateColumns(next), lease_owner: null, lease_expires_at: null, updated_at: new Date(now) })
      .executeTakeFirst(),
  );
}

/** Extends the lease to `now + leaseMs`; false when it was lost (the runner must abort the attempt). */
export function renewLease(db: Kysely<Database>, fence: LeaseFence, now: number, leaseMs: number): Promise<boolean> {
  return applied(
    fenced(db, fence)
      .set({ lease_expires_at: new Date(now + leaseMs), updated_at: new Date(now) })
      .executeTakeFirst(),
  );
}

/** Records progress (0..1); false when the lease was lost. */
export function writeProgress(
  db: Kysely<Database>,
  fence: LeaseFence,
  progress: number,
  now: number,
): Promise<boolean> {
  return applied(
    fenced(db, fence)
      .set({ progress, updated_at: new Date(now) })
      .executeTakeFirst(),
  );
}

/**
 * Gives a job back unfinished (the server is stopping): queued again at once, and the interrupted
 * attempt not counted, since nothing went wrong with the job itself.
 */
export function releaseJob(db: Kysely<Database>, fence: LeaseFence, now: number): Promise<boolean> {
  return applied(
    fenced(db, fence)
      .set((eb) => ({
        state: 'queued',
        attempts: eb('attempts', '-', 1),
        run_at: new Date(now),
        lease_owner: null,
        lease_expires_at: null,
        updated_at: new Date(now),
      }))
      .executeTakeFirst(),
  );
}

/** The job, or undefined. */
export function getJob(db: Kysely<Database>, id: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Jobs per state, every state present (zero when none): the console's overview. */
export async function countJobsByState(db: Kysely<Database>): Promise<Record<JobRow['state'], number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['state', sql<number>`count(*)::int`.as('n')])
    .groupBy('state')
    .execute();
  const counts = { queued: 0, running: 0, succeeded: 0, failed: 0 };
  for (const row of rows) counts[row.state] = Number(row.n);
  return counts;
}

/**
 * Makes a queued job that waits for a later `run_at` (an enqueue delay, a retry's backoff) due at `now`.
 * Does nothing to a job that is running, finished or already due.
 */
export async function makeJobDueNow(db: Kysely<Database>, id: string, now: number): Promise<void> {
  const at = new Date(now);
  await db
    .updateTable('jobs')
    .set({ run_at: at, updated_at: at })
    .where('id', '=', id)
    .where('state', '=', 'queued')
    .where('run_at', '>', at)
    .execute();
}

/**
 * True while `attempt` is the job's running attempt: a handler about to hand over work it cannot
 * record in a table of its own (an export's file) asks, and drops the work when it is no longer the
 * job's (timed out, lease lost and taken over). Not atomic with the runner's outcome write, which the
 * lease fences: a file kept by an attempt that loses its lease just after asking is left unreferenced.
 */
export async function isAttemptRunning(db: Kysely<Database>, id: string, attempt: number): Promise<boolean> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where('id', '=', id)
    .where('state', '=', 'running')
    .where('attempts', '=', attempt)
    .executeTakeFirst();
  return row !== undefined;
}
