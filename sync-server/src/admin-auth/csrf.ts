import { timingSafeEqual } from 'node:crypto';

/**
 * Cross-site request forgery checks of requests authenticated by the session cookie. SameSite=Strict
 * already keeps the cookie off cross-site requests in current browsers; these checks do not rely on it
 * (older browsers, same-site but cross-origin pages such as another app on a sibling subdomain):
 * - the request must come from this server's own origin: `Sec-Fetch-Site: same-origin` when sent, and
 *   `Origin` equal to ours when sent; a state-changing request with neither is refused (browsers send
 *   at least one on every POST, so such a request is not the console);
 * - it must echo the session's synchronizer token in `X-CSRF-Token`, which a page on another origin
 *   cannot read (GET /admin/api/me answers it only to same-origin script: no CORS credentials).
 * Requests authenticated by an `Authorization` header are not checked: a browser never adds one by
 * itself, so a forged request cannot carry it.
 */

/** The header the console sends the CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** Methods that must not change state, so need no CSRF token (their answers are not readable cross-origin). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when `method` is not expected to change state. */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** What a request says about where it comes from. */
export interface RequestSource {
  /** The `Origin` header, if sent. */
  origin: string | undefined;
  /** The `Sec-Fetch-Site` header, if sent. */
  secFetchSite: string | undefined;
}

/** Why a request is not from `ownOrigin`, or undefined when it is. */
export function foreignOriginProblem(source: RequestSource, ownOrigin: string): string | undefined {
  const site = source.secFetchSite?.trim().toLowerCase();
  if (site !== undefined && site !== 'same-origin')
    return `cross-origin request refused (Sec-Fetch-Site: ${site.slice(0, 20)})`;
  if (source.origin !== undefined && source.origin !== ownOrigin)
    return 'cross-origin request refused (Origin is not this server)';
  if (site === undefined && source.origin === undefined)
    return 'request refused: neither Origin nor Sec-Fetch-Site was sent (use an admin token from scripts)';
  return undefined;
}

/** Constant-time comparison of the sent token with the session's. */
function tokensMatch(sent: string, expected: string): boolean {
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What {@link csrfProblem} looks at. */
export interface CsrfInput extends RequestSource {
  method: string;
  /** The `X-CSRF-Token` header, if sent. */
  sentToken: string | undefined;
  /** The session's synchronizer token. */
  sessionToken: string;
  ownOrigin: string;
}

/** Why a cookie-authenticated request is refused as a possible forgery, or undefined when it may go on. */
export function csrfProblem(input: CsrfInput): string | undefined {
  if (isSafeMethod(input.method)) return undefined;
  const foreign = foreignOriginProblem(input, input.ownOrigin);
  if (foreign !== undefined) return foreign;
  if (input.sentToken === undefined || input.sentToken === '')
    return 'missing X-CSRF-Token header (from GET /admin/api/me)';
  if (!tokensMatch(input.sentToken, input.sessionToken)) return 'X-CSRF-Token does not match this session';
  return undefined;
}
