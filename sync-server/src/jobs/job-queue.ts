import { fail, ok, type Clock, type Failure, type Result } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database, JobRow } from '../db/schema';
import type { JobRegistry } from './job-registry';
import { insertJob } from './job-store';

/** Longest dedupe key: a kind and an id or two. */
const MAX_DEDUPE_KEY_CHARS = 200;
/** Longest delay: a day. A job meant for later than that belongs to a schedule, not a queue. */
const MAX_DELAY_MS = 24 * 3600_000;

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** While a job with this key is queued or running, enqueueing again returns that job. */
  dedupeKey?: string;
  /** Runs no sooner than this many ms from now (default 0): lets work that arrives in bursts gather. */
  delayMs?: number;
  /**
   * The worker the job works for ({@link workerJobOwner}): workers take turns, so one worker's many
   * jobs cannot hold back another's. Absent for an operator's job, which is served next in turn.
   */
  ownerKey?: string;
}

/** The owner key of a worker's jobs. */
export const workerJobOwner = (workerId: string): string => `worker:${workerId}`;

/** Puts jobs in the queue; any instance's runner may take them. */
export interface JobQueue {
  /**
   * Validates the payload against its kind (unknown kind, invalid, too large: an error, nothing stored)
   * and stores the job, or returns the live job with the same dedupe key (`created: false`).
   */
  enqueue(
    kind: string,
    payload: unknown,
    options?: EnqueueOptions,
  ): Promise<Result<{ job: JobRow; created: boolean }, Failure>>;
}

/** A queue over the `jobs` table for the kinds of `registry`. */
export function createJobQueue(deps: { db: Kysely<Database>; registry: JobRegistry; clock: Clock }): JobQueue {
  return {
    async enqueue(kind, payload, options = {}) {
      const { dedupeKey, delayMs = 0, ownerKey } = options;
      if (dedupeKey !== undefined && (dedupeKey.length === 0 || dedupeKey.length > MAX_DEDUPE_KEY_CHARS))
        return fail('validation_failed', `dedupe key must be 1-${MAX_DEDUPE_KEY_CHARS} characters`);
      if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS)
        return fail('validation_failed', `delay must be a whole number of ms, 0-${MAX_DELAY_MS}`);
      const valid = deps.registry.validate(kind, payload);
      if (!valid.ok) return valid;
      const stored = await insertJob(deps.db, {
        kind,
        payload: valid.value.payload,
        maxAttempts: valid.value.kind.maxAttempts,
        dedupeKey,
        now: deps.clock.now(),
        delayMs,
        ownerKey,
      });
      return ok(stored);
    },
  };
}
