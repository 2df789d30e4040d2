import type { RateLimiter } from '../http/rate-limiter';

/**
 * `limiter`, calling `onHit` for every refusal it makes: a `take` that finds the bucket empty, or a
 * `hasToken` that says no (the failed-authentication budget is checked that way before a lookup).
 */
export function countRateLimitHits(limiter: RateLimiter, onHit: () => void): RateLimiter {
  return {
    take(key) {
      const taken = limiter.take(key);
      if (!taken) onHit();
      return taken;
    },
    hasToken(key) {
      const has = limiter.hasToken(key);
      if (!has) onHit();
      return has;
    },
    charge: (key) => limiter.charge(key),
    retryAfterMs: (key) => limiter.retryAfterMs(key),
    size: () => limiter.size(),
  };
}
