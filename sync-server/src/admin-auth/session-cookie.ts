import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { isProduction, type Settings } from '../settings';

/**
 * The admin session cookie: HttpOnly (no script reads it, so an injected script cannot carry it off),
 * SameSite=Strict (the console and its API are one origin, so no legitimate request is cross-site; Lax
 * would send it on top-level navigations from other sites, which nothing here needs), Path=/.
 * Over https it is Secure and named with the `__Host-` prefix, which browsers only accept from a
 * secure origin without a Domain attribute: a sibling subdomain cannot plant or overwrite it.
 */

/** True when the cookie must be Secure: in production, or whenever PUBLIC_URL is https. */
export function isCookieSecure(settings: Pick<Settings, 'nodeEnv' | 'publicUrl'>): boolean {
  return isProduction(settings) || (settings.publicUrl?.startsWith('https://') ?? false);
}

/** The cookie's name: `__Host-codesight_admin` when Secure, else `codesight_admin` (plain-http development). */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-codesight_admin' : 'codesight_admin';
}

/** The session token in the request's cookie, if any (its shape is checked by the lookup). */
export function readSessionCookie(c: Context, secure: boolean): string | undefined {
  const value = getCookie(c, sessionCookieName(secure));
  return value === undefined || value === '' ? undefined : value;
}

/** Sets the cookie for a new session that lasts `maxAgeMs`. */
export function writeSessionCookie(c: Context, token: string, secure: boolean, maxAgeMs: number): void {
  setCookie(c, sessionCookieName(secure), token, {
    path: '/',
    httpOnly: true,
    secure,
    sameSite: 'Strict',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

/** Tells the browser to drop the cookie. */
export function clearSessionCookie(c: Context, secure: boolean): void {
  deleteCookie(c, sessionCookieName(secure), { path: '/', httpOnly: true, secure, sameSite: 'Strict' });
}
