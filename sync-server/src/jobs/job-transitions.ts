import { retryDelayMs, type BackoffPolicy } from './backoff';

/**
 * What happens to a job after an attempt, as plain values: the store writes them, tests check them
 * with a fake clock. Times are epoch ms.
 */

/** The attempt counters a decision needs. */
export interface AttemptCount {
  /** Attempts started, the one that just ended included. */
  attempts: number;
  maxAttempts: number;
}

/** The job's next state after an attempt ended. */
export type NextState =
  | { state: 'succeeded'; finishedAt: number; progress: 1; result: unknown }
  | { state: 'queued'; runAt: number; lastError: string }
  | { state: 'failed'; finishedAt: number; lastError: string };

/** Longest `last_error` kept: enough for a message and its cause, never a dump. */
export const MAX_ERROR_CHARS = 1000;

/** The error as stored: trimmed to {@link MAX_ERROR_CHARS}. */
export function clipError(message: string): string {
  return message.length <= MAX_ERROR_CHARS ? message : `${message.slice(0, MAX_ERROR_CHARS - 1)}…`;
}

/** A successful attempt: final, progress full. */
export function afterSuccess(now: number, result: unknown): NextState {
  return { state: 'succeeded', finishedAt: now, progress: 1, result };
}

/**
 * A failed attempt (an error, a timeout, a lease that expired under a dead runner): queued again after
 * the backoff while attempts remain, else failed for good. `permanent` failures (a payload that no
 * longer validates, a session that is gone) are final at once: retrying cannot change them. A
 * `retryAfterMs` the failure names (a rate limit's Retry-After) lengthens the wait, never past the
 * policy's `maxMs`: a far-off date from a remote server must not park the job for a day.
 */
export function afterFailure(
  count: AttemptCount,
  error: string,
  now: number,
  policy: BackoffPolicy,
  permanent = false,
  retryAfterMs?: number,
): NextState {
  const lastError = clipError(error);
  if (permanent || count.attempts >= count.maxAttempts) return { state: 'failed', finishedAt: now, lastError };
  const asked = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? Math.max(0, retryAfterMs) : 0;
  const wait = Math.max(retryDelayMs(count.attempts, policy), Math.min(asked, policy.maxMs));
  return { state: 'queued', runAt: now + wait, lastError };
}
