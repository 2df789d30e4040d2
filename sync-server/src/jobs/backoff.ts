/** How long a failed job waits before its next attempt. */
export interface BackoffPolicy {
  /** Wait after the first failed attempt. */
  baseMs: number;
  /** The wait never grows past this. */
  maxMs: number;
}

/**
 * 5 s, 10 s, 20 s ... capped at 10 minutes: a blob store or database that is briefly away is back by
 * the second or third try, and a job that keeps failing stops costing anything soon.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 10 * 60_000 };

/**
 * The wait before the attempt after `failedAttempts` failures: `baseMs * 2^(failedAttempts - 1)`,
 * capped at `maxMs`. No jitter: jobs are few and enqueued by people, so their retries do not arrive in
 * herds, and a fixed schedule is one an operator can read off the job's timestamps.
 */
export function retryDelayMs(failedAttempts: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(failedAttempts));
  // 2^n overflows to Infinity long after the cap: clamp the exponent so the product stays finite.
  const factor = 2 ** Math.min(n - 1, 40);
  return Math.min(policy.maxMs, policy.baseMs * factor);
}
