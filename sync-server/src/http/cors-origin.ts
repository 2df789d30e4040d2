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
