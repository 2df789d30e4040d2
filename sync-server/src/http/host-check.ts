import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import type { Settings } from '../settings';
import { isWildcardListenAddress } from '../settings';
import type { AppEnv } from './app-env';
import { refuseRequestOrUpgrade } from './upgrade-refusal';

/**
 * The Host header check against DNS rebinding: a page on an attacker's domain that re-resolves that
 * domain to 127.0.0.1 (or to an intranet server) talks to us as a "same-origin" page, and its requests
 * carry the attacker's host name. Accepted names can only come from a browser that was really pointed
 * at us:
 * - no Host header at all (HTTP/1.0 and other non-browser clients; browsers always send one);
 * - an IP address literal: an origin that is an IP is not a name an attacker can re-point;
 * - `localhost` and `*.localhost`, which browsers resolve to loopback themselves (RFC 6761), never by DNS;
 * - the host of PUBLIC_URL, the HOST the server listens on (when it is a name), and ALLOWED_HOSTS.
 * The port is not compared: rebinding changes the name, and proxies add or drop the port.
 */
export interface HostPolicy {
  /** Lower-case host names accepted besides the ones every server accepts. */
  names: ReadonlySet<string>;
}

/** The accepted names for `settings` (see {@link HostPolicy}). */
export function hostPolicy(settings: Pick<Settings, 'publicUrl' | 'host' | 'allowedHosts'>): HostPolicy {
  const names = new Set(settings.allowedHosts.map(normalizeName));
  if (settings.publicUrl) names.add(normalizeName(new URL(settings.publicUrl).hostname));
  if (!isWildcardListenAddress(settings.host) && isIP(settings.host) === 0) names.add(normalizeName(settings.host));
  return { names };
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The host part of a Host header value (`name[:port]` or `[v6]:port`), or undefined when malformed. */
export function hostNameOf(hostHeader: string): string | undefined {
  const value = hostHeader.trim();
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) return isIP(bracketed[1]!) === 6 ? bracketed[1]!.toLowerCase() : undefined;
  const plain = /^([A-Za-z0-9_.-]{1,253})(?::\d{1,5})?$/.exec(value);
  return plain ? normalizeName(plain[1]!) : undefined;
}

/** True when a request whose Host header is `hostHeader` may be served under `policy`. */
export function isAllowedHost(hostHeader: string | undefined, policy: HostPolicy): boolean {
  if (hostHeader === undefined) return true;
  const name = hostNameOf(hostHeader);
  if (name === undefined) return false;
  if (isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return policy.names.has(name);
}

/** Longest Host value echoed back in a refusal, so the answer stays small whatever was sent. */
const MAX_ECHOED_HOST = 100;

/**
 * Refuses requests for host names this server is not known by: 403 `forbidden`, before any route or
 * WebSocket upgrade runs. 403 rather than 421: the request is refused, not misrouted by a client's
 * connection reuse, and `forbidden` keeps the one status every error code maps to.
 */
export function hostCheck(settings: Pick<Settings, 'publicUrl' | 'host' | 'allowedHosts'>): MiddlewareHandler<AppEnv> {
  const policy = hostPolicy(settings);
  return async (c, next) => {
    const host = c.req.header('host');
    if (isAllowedHost(host, policy)) return next();
    const shown = JSON.stringify((host ?? '').slice(0, MAX_ECHOED_HOST));
    return refuseRequestOrUpgrade(
      c,
      'forbidden',
      `host ${shown} is not served here: use the server's PUBLIC_URL, localhost or an IP address (behind a proxy, forward the original Host header or list the name in ALLOWED_HOSTS)`,
    );
  };
}
