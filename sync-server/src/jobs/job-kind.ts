import type { Clock, Failure, Result } from '@codesight/schema';
import type * as v from 'valibot';
import type { Logger } from '../log';
import type { BackoffPolicy } from './backoff';

/** What a handler gets besides its payload. */
export interface JobContext {
  jobId: string;
  /** 1 for the first attempt. */
  attempt: number;
  clock: Clock;
  logger: Logger;
  /**
   * Aborted when the attempt timed out, the lease was lost or the server is stopping: the handler must
   * stop soon after (check it between steps), since its writes are no longer the job's.
   */
  signal: AbortSignal;
  /** Reports progress, 0..1 (clamped). Written to the job now and then, not on every call. */
  reportProgress(fraction: number): void;
}

/** Why an attempt failed; `permanent` ones are not retried (nothing a retry could change). */
export interface JobFailure extends Failure {
  permanent?: boolean;
  /**
   * The least wait before the next attempt is worth making (a remote rate limit's Retry-After); the
   * kind's backoff applies when longer, and the wait never exceeds the backoff's `maxMs`.
   */
  retryAfterMs?: number;
}

/** A job kind: its payload schema, limits and handler. Registered in code (see createJobRegistry). */
export interface JobKind<P = unknown> {
  /** Stored in `jobs.kind`: lower-case words and dashes. */
  kind: string;
  /** Checked before enqueue and again before every run (the row may predate a schema change). */
  payload: v.GenericSchema<unknown, P>;
  /** An attempt running longer is aborted and counts as failed. */
  timeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  backoff: BackoffPolicy;
  /**
   * How long a finished (succeeded or failed) job of this kind is kept before the runners delete it.
   * Unset: kept for good, for kinds whose row is the record of an artifact (archives, exports are found
   * through their jobs). Kinds enqueued per session over and over (thumbnails, analyses), whose results
   * live in tables of their own, set it so the queue does not grow with every recording.
   */
  keepFinishedMs?: number;
  /** Does the work. Returns a short JSON result (bounded, see MAX_RESULT_BYTES) or why not; may also throw. */
  run(payload: P, context: JobContext): Promise<Result<unknown, JobFailure>>;
}

/**
 * Types a job kind's handler against its payload schema, and erases the payload type for the registry.
 * Safe: the runner only ever calls `run` with what `payload` just produced from the stored row.
 */
export function defineJobKind<P>(kind: JobKind<P>): JobKind {
  return kind;
}
