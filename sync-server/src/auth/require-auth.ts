import { err, ok, type Result } from '@codesight/schema';
import type { Context, MiddlewareHandler } from 'hono';
import type { CookieSessionAuth } from '../admin-auth/cookie-auth';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { rateLimitResponse } from '../http/rate-limit';
import { addressBucket, principalBucket } from '../http/rate-limit-keys';
import type { RateLimiter } from '../http/rate-limiter';
import type { Refusal } from '../refusal';
import { looksLikeJwt } from './admin-token';
import type { Authenticator } from './authenticator';
import type { Credential, Principal } from './principal';
import { createSpentCredentials } from './spent-credentials';

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

/** The worker id of a request that passed `requireAuth('worker')`; throws (a 500) on a wiring mistake. */
export function workerIdOf(c: Context<AppEnv>): string {
  const principal = c.get('principal');
  if (principal.kind !== 'worker') throw new Error('worker route reached without a worker principal');
  return principal.workerId;
}

/** What {@link authenticateRequest} checks credentials with and charges requests to. */
export interface RequestAuthOptions {
  auth: Authenticator;
  /** Per principal: every request with a valid credential, and nothing else. */
  keyLimiter: RateLimiter;
  /** Per address: requests without a credential. */
  addressLimiter: RateLimiter;
  /** Per address: failed authentications; while it is empty, no credential from the address is checked. */
  authFailureLimiter: RateLimiter;
  /**
   * Requests whose URL is their credential (the upload PUT: its unguessable id), told apart before
   * routing. They are limited like a credential: refused while the address's failure budget is spent,
   * and a `404` answer (no such id) is charged as a failed authentication. A valid one costs the address
   * nothing: the worker's key paid for the request that minted the id.
   */
  isCapabilityRequest?: (c: Context<AppEnv>) => boolean;
  /**
   * Admin browser sessions, checked only when a request carries no header credential. A refused
   * session is charged like a refused credential; a live one on a state-changing request that fails
   * the CSRF checks is answered 403 here, whatever the route.
   */
  sessions?: CookieSessionAuth;
}

/** The refusal message of a request refused because its address's failure budget is spent. */
const FAILURES_SPENT = 'too many failed authentications from this address';

/**
 * Checks the credential of every request, once, before routing, and charges the request to exactly one
 * budget: a valid credential to its principal's bucket (never the address: a thousand workers behind
 * one NAT do not share one budget); a request without one to its address; a refused one to its
 * address's failure budget. While that budget is spent, a request with a credential is refused before
 * anything is hashed or looked up, so a flood of guessed keys stays cheap; and while a principal's
 * budget is spent, a credential already refused for it is refused again before its lookup
 * (spent-credentials.ts), so a flood of a leaked valid key stays cheap too. A refused credential does
 * not refuse the request here: `requireAuth` does on the routes that need one (public routes serve it).
 */
export function authenticateRequest(options: RequestAuthOptions): MiddlewareHandler<AppEnv> {
  const { auth, keyLimiter, addressLimiter, authFailureLimiter, sessions } = options;
  const spent = createSpentCredentials(keyLimiter);
  return async (c, next) => {
    const address = addressBucket(c.get('clientIp'));
    const credential = credentialFromHeaders(c);
    let sessionToken: string | undefined;
    if (credential.apiKey === undefined && credential.token === undefined) {
      c.set('credential', { kind: 'none' });
      if (options.isCapabilityRequest?.(c)) {
        if (!authFailureLimiter.hasToken(address))
          return rateLimitResponse(c, authFailureLimiter, address, FAILURES_SPENT);
        await next();
        if (c.res.status === 404) authFailureLimiter.charge(address);
        return;
      }
      sessionToken = sessions?.tokenOf(c);
      if (sessionToken === undefined) {
        if (!addressLimiter.take(address)) return rateLimitResponse(c, addressLimiter, address);
        return next();
      }
    }
    if (!authFailureLimiter.hasToken(address)) return rateLimitResponse(c, authFailureLimiter, address, FAILURES_SPENT);
    // A header credential refused a moment ago for an empty budget is refused again without a lookup.
    const presented = credential.apiKey ?? credential.token;
    const stillSpent = presented === undefined ? undefined : spent.stillSpent(presented);
    if (stillSpent !== undefined) return rateLimitResponse(c, keyLimiter, stillSpent);
    let result: Result<Principal, Refusal>;
    try {
      if (sessionToken === undefined || sessions === undefined) result = await auth.authenticate(credential);
      else {
        const outcome = await sessions.authenticate(c, sessionToken);
        // A live session on a forged request: refused outright, nothing charged (the cookie is good).
        if (outcome.kind === 'forgery') return refusalResponse(c, outcome.refusal);
        result = outcome.kind === 'valid' ? ok(outcome.principal) : err(outcome.refusal);
      }
    } catch (error) {
      // The server's failure, not the client's: nothing is charged.
      c.set('credential', { kind: 'unchecked', error });
      return next();
    }
    if (!result.ok) {
      authFailureLimiter.charge(address);
      c.set('credential', { kind: 'refused', refusal: result.error });
      return next();
    }
    c.set('credential', { kind: 'valid' });
    c.set('principal', result.value);
    const bucket = principalBucket(result.value);
    if (!keyLimiter.take(bucket)) {
      if (presented !== undefined) spent.remember(presented, bucket);
      return rateLimitResponse(c, keyLimiter, bucket);
    }
    return next();
  };
}

/**
 * Lets a request through only with a valid credential for `audience` (checked by
 * {@link authenticateRequest}, which every request passes first): `worker` routes need an API key,
 * `admin` routes an admin JWT or an admin console session cookie, `any` accepts all of them (handlers
 * then scope what they return).
 */
export function requireAuth(audience: Audience): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = c.get('credential') as AppEnv['Variables']['credential'] | undefined;
    if (credential === undefined) throw new Error('requireAuth reached without authenticateRequest');
    if (credential.kind === 'unchecked') throw credential.error;
    if (credential.kind === 'none') {
      return errorResponse(
        c,
        'not_authenticated',
        'send an API key (Authorization: Bearer <key> or X-API-Key) or an admin token',
        {
          'WWW-Authenticate': 'Bearer',
        },
      );
    }
    if (credential.kind === 'refused') {
      return refusalResponse(c, credential.refusal, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
    const principal = c.get('principal');
    if (audience === 'admin' && principal.kind !== 'admin')
      return errorResponse(c, 'forbidden', 'this route needs an admin token');
    if (audience === 'worker' && principal.kind !== 'worker')
      return errorResponse(c, 'forbidden', 'this route needs a worker API key');
    await next();
  };
}
