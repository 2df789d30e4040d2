import type { RateLimiter } from '../http/rate-limiter';

/**
 * Credentials whose principal's request budget was found empty, so that the next request with the
 * same credential is refused before its key is hashed and looked up in the database: a leaked key
 * flooding the HTTP routes otherwise cost one database query per refused request, paid by every other
 * worker's latency. Only "this budget is empty" is remembered, and only while it stays empty: once the
 * bucket has a token again the credential is looked up as usual, so a revoked key is told so within
 * one refill (a few seconds at the default limit), and nothing is ever let in on a remembered answer.
 * Per process, bounded: past {@link MAX_SPENT_CREDENTIALS} the oldest entry is forgotten (which only
 * costs that credential a lookup).
 */
export interface SpentCredentials {
  /** The bucket `credential` was last refused on, when that bucket is still empty; else undefined. */
  stillSpent(credential: string): string | undefined;
  /** `credential` was just refused because `bucket` (its principal's) is empty. */
  remember(credential: string, bucket: string): void;
  size(): number;
}

/** Enough for every key of a large crowd flooding at once; ~100 bytes an entry. */
export const MAX_SPENT_CREDENTIALS = 10_000;

export function createSpentCredentials(limiter: RateLimiter, max = MAX_SPENT_CREDENTIALS): SpentCredentials {
  const spent = new Map<string, string>();
  return {
    stillSpent(credential) {
      const bucket = spent.get(credential);
      if (bucket === undefined) return undefined;
      if (!limiter.hasToken(bucket)) return bucket;
      spent.delete(credential);
      return undefined;
    },
    remember(credential, bucket) {
      spent.delete(credential);
      spent.set(credential, bucket);
      if (spent.size > max) spent.delete(spent.keys().next().value!);
    },
    size: () => spent.size,
  };
}
