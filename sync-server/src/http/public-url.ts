import type { Context } from 'hono';

/**
 * The base URL clients reach this server at: PUBLIC_URL when set; else the request's own origin,
 * corrected by X-Forwarded-Proto / X-Forwarded-Host only when a proxy is trusted (otherwise a client
 * could make the server hand out URLs pointing anywhere).
 */
export function publicBaseUrl(c: Context, settings: { publicUrl: string | undefined; trustProxy: number }): string {
  if (settings.publicUrl) return settings.publicUrl;
  const url = new URL(c.req.url);
  if (settings.trustProxy > 0) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim();
    if (proto === 'http' || proto === 'https') url.protocol = `${proto}:`;
    if (host && /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) url.host = host;
  }
  return url.origin;
}

/** Makes a server-relative path (`/api/...`) absolute; other URLs (`s3://...`) pass through. */
export function absoluteUrl(base: string, path: string): string {
  return path.startsWith('/') ? `${base}${path}` : path;
}
