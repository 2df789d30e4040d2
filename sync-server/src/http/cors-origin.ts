/**
 * The CORS origin check: an exact match against CORS_ORIGINS, or any `chrome-extension://` origin (the
 * extension's id differs between an unpacked dev build and the store build, and every worker's copy
 * must reach the server). Returns the origin to echo, or null to send no CORS headers.
 */
export function allowedOrigin(origin: string, configured: readonly string[]): string | null {
  if (!origin) return null;
  if (/^chrome-extension:\/\/[a-p]{32}$/.test(origin)) return origin;
  return configured.includes(origin) ? origin : null;
}

/**
 * The WebSocket upgrade's Origin check. Browsers apply no CORS to WebSockets, so without it any page
 * (or a DNS-rebound one) could open a socket to a loopback server and use the public dev key. Browsers
 * always send Origin on a handshake, so one without it comes from a program (Node `ws`, scripts), not
 * from a page, and stays allowed. The extension's sockets, old and new, carry its chrome-extension://
 * origin.
 */
export function allowedSocketOrigin(origin: string | undefined, configured: readonly string[]): boolean {
  if (origin === undefined || origin === '') return true;
  return allowedOrigin(origin, configured) !== null;
}
