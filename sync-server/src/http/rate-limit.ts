import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env';
import { errorResponse } from './errors';
import { retryAfterSeconds, type RateLimiter } from './rate-limiter';

/**
 * Answers 429 `rate_limited` with Retry-After (seconds) when `key` has no token left; `what` names the
 * limit (default: the request rate).
 */
export function rateLimitResponse(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
  limiter: RateLimiter,
  key: string,
  what = 'rate limit exceeded',
): Response {
  const seconds = retryAfterSeconds(limiter, key);
  return errorResponse(c, 'rate_limited', `${what}; retry in ${seconds} s`, {
    'Retry-After': String(seconds),
  });
}
