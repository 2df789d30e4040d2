import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { rateLimitResponse } from '../http/rate-limit';
import type { RateLimiter } from '../http/rate-limiter';
import { looksLikeJwt } from './admin-token';
import type { Authenticator } from './authenticator';
import type { Credential } from './principal';

/** Who may call a route. */
export type Audience = 'worker' | 'admin' | 'any';

/**
 * The credential of an HTTP request: `X-API-Key: <key>`, or `Authorization: Bearer <key or JWT>` (a
 * JWT-shaped bearer is an admin token, anything else an API key).
 */
function credentialFromHeaders(c: Context): Credential {
  const apiKey = c.req.header('x-api-key')?.trim();
  if (apiKey) return { apiKey };
  const auth = c.req.header('authorization');
  const match = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  const bearer = match?.[1]?.trim();
  if (!bearer) return {};
  return looksLikeJwt(bearer) ? { token: bearer } : { apiKey: bearer };
}

/** The worker id of a request that passed `requireAuth(..., 'worker', ...)`; throws (a 500) on a wiring mistake. */
export function workerIdOf(c: Context<AppEnv>): string {
  const principal = c.get('principal');
  if (principal.kind !== 'worker') throw new Error('worker route reached without a worker principal');
  return principal.workerId;
}

/**
 * Authenticates the request and checks the audience: `worker` routes need an API key, `admin` routes
 * an admin JWT, `any` accepts both (handlers then scope what they return). Sets `principal`, and
 * charges the worker's rate-limit bucket.
 */
export function requireAuth(
  auth: Authenticator,
  audience: Audience,
  keyLimiter: RateLimiter,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = credentialFromHeaders(c);
    if (credential.apiKey === undefined && credential.token === undefined) {
      return errorResponse(
        c,
        'not_authenticated',
        'send an API key (Authorization: Bearer <key> or X-API-Key) or an admin token',
        {
          'WWW-Authenticate': 'Bearer',
        },
      );
    }
    const result = await auth.authenticate(credential);
    if (!result.ok) return refusalResponse(c, result.error, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    const principal = result.value;
    c.set('principal', principal);
    if (audience === 'admin' && principal.kind !== 'admin')
      return errorResponse(c, 'forbidden', 'this route needs an admin token');
    if (audience === 'worker' && principal.kind !== 'worker')
      return errorResponse(c, 'forbidden', 'this route needs a worker API key');
    if (principal.kind === 'worker') {
      const key = `worker:${principal.workerId}`;
      if (!keyLimiter.take(key)) return rateLimitResponse(c, keyLimiter, key);
    }
    await next();
  };
}
