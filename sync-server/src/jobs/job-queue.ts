import { fail, ok, type Clock, type Failure, type Result } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database, JobRow } from '../db/schema';
import type { JobRegistry } from './job-registry';
import { insertJob } from './job-store';

/** Longest dedupe key: a kind and an id or two. */
const MAX_DEDUPE_KEY_CHARS = 200;

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** While a job with this key is queued or running, enqueueing again returns that job. */
  dedupeKey?: string;
}

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
      const { dedupeKey } = options;
      if (dedupeKey !== undefined && (dedupeKey.length === 0 || dedupeKey.length > MAX_DEDUPE_KEY_CHARS))
        return fail('validation_failed', `dedupe key must be 1-${MAX_DEDUPE_KEY_CHARS} characters`);
      const valid = deps.registry.validate(kind, payload);
      if (!valid.ok) return valid;
      const stored = await insertJob(deps.db, {
        kind,
        payload: valid.value.payload,
        maxAttempts: valid.value.kind.maxAttempts,
        dedupeKey,
        now: deps.clock.now(),
      });
      return ok(stored);
    },
  };
}
