import { type Clock } from '@codesight/schema';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal';
import type { Database } from '../db/schema';
import { publicBaseUrl } from '../http/public-url';
import { refusal, type Refusal } from '../refusal';
import type { Settings } from '../settings';
import { findAdminSession, type AdminSession, type SessionPolicy } from './admin-sessions';
import { CSRF_HEADER, csrfProblem } from './csrf';
import { isCookieSecure, readSessionCookie } from './session-cookie';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set when the request was authenticated by an admin session cookie (not by a header). */
    adminSession?: AdminSession;
  }
}

/** The sign-in route ignores any cookie: a stale or other session must not stand in the way of a new one. */
export const SIGN_IN_PATH = '/admin/api/sign-in';

/** How a cookie session check ended (see {@link CookieSessionAuth.authenticate}). */
export type CookieAuthOutcome =
  | { kind: 'valid'; principal: Principal }
  /** No live session for the cookie: like a refused credential. */
  | { kind: 'refused'; refusal: Refusal }
  /** A live session, but a state-changing request failing the CSRF checks: answered 403 at once. */
  | { kind: 'forgery'; refusal: Refusal };

/**
 * Authentication by the admin session cookie, for `authenticateRequest`: consulted only when a request
 * carries no API key or bearer token (a header credential always wins and is never CSRF-checked).
 */
export interface CookieSessionAuth {
  /** The cookie's token, or undefined (no cookie, or the sign-in route). */
  tokenOf(c: Context): string | undefined;
  /** Looks the session up, applies the CSRF checks, and sets `adminSession` on success. */
  authenticate(c: Context, token: string): Promise<CookieAuthOutcome>;
}

/** What {@link createCookieSessionAuth} needs. */
export interface CookieSessionAuthOptions {
  db: Kysely<Database>;
  settings: Settings;
  clock: Pick<Clock, 'now'>;
}

/** The session policy of `settings`. */
export function sessionPolicyOf(settings: Settings): SessionPolicy {
  return {
    lifetimeMs: settings.adminSessionLifetimeMinutes * 60_000,
    idleMs: settings.adminSessionIdleMinutes * 60_000,
  };
}

/** The origin a same-origin console request carries: PUBLIC_URL's, else this request's own. */
export function ownOrigin(c: Context, settings: Settings): string {
  return new URL(publicBaseUrl(c, settings)).origin;
}

/** Creates the {@link CookieSessionAuth} of the app. */
export function createCookieSessionAuth(options: CookieSessionAuthOptions): CookieSessionAuth {
  const { db, settings, clock } = options;
  const secure = isCookieSecure(settings);
  const policy = sessionPolicyOf(settings);
  return {
    tokenOf: (c) => (c.req.path === SIGN_IN_PATH ? undefined : readSessionCookie(c, secure)),
    async authenticate(c, token) {
      const session = await findAdminSession(db, token, policy, clock.now());
      if (!session)
        return { kind: 'refused', refusal: refusal('authentication_failed', 'admin session expired or signed out') };
      const problem = csrfProblem({
        method: c.req.method,
        origin: c.req.header('origin'),
        secFetchSite: c.req.header('sec-fetch-site'),
        sentToken: c.req.header(CSRF_HEADER),
        sessionToken: session.csrfToken,
        ownOrigin: ownOrigin(c, settings),
      });
      if (problem !== undefined) return { kind: 'forgery', refusal: refusal('forbidden', problem) };
      c.set('adminSession', session);
      return { kind: 'valid', principal: { kind: 'admin', subject: session.username, expiresAt: session.expiresAt } };
    },
  };
}
