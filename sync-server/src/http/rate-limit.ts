import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env';
import { errorResponse } from './errors';
import type { RateLimiter } from './rate-limiter';

/** Answers 429 `rate_limited` with Retry-After (seconds) when `key` has no token left. */
export function rateLimitResponse(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
  limiter: RateLimiter,
  key: string,
): Response {
  const seconds = Math.max(1, Math.ceil(limiter.retryAfterMs(key) / 1000));
  return errorResponse(c, 'rate_limited', `rate limit exceeded; retry in ${seconds} s`, {
    'Retry-After': String(seconds),
  });
}

/** Per client IP limit on every request (the per-key limit is applied after authentication). */
export function ipRateLimit(limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ip = c.get('clientIp');
    if (!limiter.take(`ip:${ip}`)) return rateLimitResponse(c, limiter, `ip:${ip}`);
    await next();
  };
}
