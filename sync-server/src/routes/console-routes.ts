import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/app-env';
import { errorResponse } from '../http/errors';

/** Where `npm run build` puts the console (sync-server/console/vite.config.ts). */
export const CONSOLE_DIST_DIR = fileURLToPath(new URL('../../console/dist', import.meta.url));

/**
 * The console's policy: its own scripts and styles only (no inline script; Preact sets styles through
 * the CSSOM, which `style-src` does not govern), media and images from this origin, calls to this
 * origin, never framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Built asset names are Vite's `name-hash.ext`: plain, so they can be joined to the directory safely. */
const ASSET_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(js|css|svg|png|woff2)$/;

const ASSET_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};

/** Hashed names change with their content, so a year is safe. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the built admin console, mounted at `/admin`: `/admin/assets/<hashed file>` with a long cache,
 * and `index.html` for every other path (client-side routes), never cached, with a strict CSP. When the
 * console was not built, a 503 says how to build it. `/admin/api/*` is not served here.
 */
export function consoleRoutes(distDir: string = CONSOLE_DIST_DIR): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    const match = ASSET_NAME.exec(name);
    if (!match) return errorResponse(c, 'not_found', 'no such asset');
    const bytes = await readFile(join(distDir, 'assets', name)).catch(() => null);
    if (!bytes) return errorResponse(c, 'not_found', 'no such asset');
    return c.body(new Uint8Array(bytes), 200, {
      'Content-Type': ASSET_TYPES[match[2] ?? ''] ?? 'application/octet-stream',
      'Cache-Control': IMMUTABLE,
      'X-Content-Type-Options': 'nosniff',
    });
  });

  const page = async (c: Context<AppEnv>) => {
    // The console's own API lives under /admin/api; an unknown call there is a JSON 404, not the page.
    if (c.req.path.startsWith('/admin/api/') || c.req.path === '/admin/api')
      return errorResponse(c, 'not_found', `no route ${c.req.method} ${c.req.path}`);
    const html = await readFile(join(distDir, 'index.html'), 'utf8').catch(() => null);
    if (html === null)
      return errorResponse(
        c,
        'unavailable',
        'the admin console is not built: run `npm run build` (or `npm start`, which builds it) and reload',
      );
    return c.html(html, 200, {
      'Content-Security-Policy': CONSOLE_CSP,
      'Cache-Control': 'no-cache',
    });
  };
  app.get('/', page);
  app.get('/*', page);
  return app;
}
