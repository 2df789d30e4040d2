import { systemClock, type Clock } from '@codesight/schema';

/**
 * In-memory token buckets, one per key (a worker, an admin subject, or a client address: see
 * rate-limit-keys.ts). Limits are per server instance: behind a load balancer with N instances a client
 * can get up to N times the limit. That is acceptable for abuse protection; nothing correct depends on it.
 */
export interface RateLimiter {
  /** Takes one token for `key`; false when the bucket is empty. */
  take(key: string): boolean;
  /** True when `key` has a token now; takes nothing (a check before work that is charged only if it fails). */
  hasToken(key: string): boolean;
  /**
   * Takes one token for `key` even from an empty bucket, down to a minute's worth of debt. For what is
   * counted after the work it limits (a failed authentication): attempts that passed {@link hasToken}
   * together before the first of them failed are each paid for, by a longer wait, instead of being free.
   */
  charge(key: string): void;
  /** Milliseconds until `key` has a token again (0 when it has one now). */
  retryAfterMs(key: string): number;
  /** Number of buckets held (for tests and status). */
  size(): number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/**
 * Buckets idle this long are full again anyway (from a minute's worth of debt, see `charge`, refilling
 * takes two minutes); dropping them bounds memory under address churn.
 */
const IDLE_MS = 120_000;
/** Sweep idle buckets at most this often, piggybacking on calls (no timer to clean up). */
const SWEEP_EVERY_MS = 30_000;

/**
 * A limiter allowing `perMinute` tokens per key per minute, refilled continuously, with a burst
 * capacity of `perMinute` (a client idle for a minute may send a minute's worth at once).
 */
export function createRateLimiter(perMinute: number, clock: Pick<Clock, 'now'> = systemClock): RateLimiter {
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;
  let lastSweep = clock.now();

  const refill = (key: string): Bucket => {
    const t = clock.now();
    if (t - lastSweep > SWEEP_EVERY_MS) {
      lastSweep = t;
      for (const [k, b] of buckets) if (t - b.updated > IDLE_MS) buckets.delete(k);
    }
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = { tokens: perMinute, updated: t };
      buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.updated) * perMs);
      bucket.updated = t;
    }
    return bucket;
  };

  return {
    take(key) {
      const bucket = refill(key);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    hasToken: (key) => refill(key).tokens >= 1,
    charge(key) {
      const bucket = refill(key);
      bucket.tokens = Math.max(-perMinute, bucket.tokens - 1);
    },
    retryAfterMs(key) {
      const bucket = refill(key);
      return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / perMs);
    },
    size: () => buckets.size,
  };
}

/** A wait in ms as the whole seconds Retry-After and refusal messages say: rounded up, at least 1. */
export function wholeSecondsOf(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/** Whole seconds until `key` has a token again, at least 1: what Retry-After and refusal messages say. */
export function retryAfterSeconds(limiter: RateLimiter, key: string): number {
  return wholeSecondsOf(limiter.retryAfterMs(key));
}
