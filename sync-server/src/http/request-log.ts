import type { MiddlewareHandler } from 'hono';
import { principalLabel } from '../auth/principal';
import type { Logger } from '../log';
import type { AppEnv } from './app-env';

/** The path to log: upload ids are credentials for `PUT /api/upload/:id` (like a presigned URL), so they are left out. */
function redactedPath(method: string, path: string): string {
  return method === 'PUT' && path.startsWith('/api/upload/') ? '/api/upload/:id' : path;
}

/**
 * One JSON line per HTTP request: method, path (no query string: it may carry cursors or ids the
 * operator does not need), status, duration, request id, client IP and who called. Never headers or
 * bodies, so no key or token can end up in the logs.
 */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    // A WebSocket upgrade is logged by the connection itself (ws_open / ws_close).
    if (c.req.header('upgrade')?.toLowerCase() === 'websocket') return;
    const principal = c.get('principal');
    const status = c.res.status;
    const line = {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: redactedPath(c.req.method, c.req.path),
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ip: c.get('clientIp'),
      principal: principal ? principalLabel(principal) : undefined,
    };
    // A 503 is a refusal the server chose (starting, draining, overloaded: /health/ready says so while
    // it migrates), not a failure of its own: a warning, so error lines keep meaning something broke.
    if (status === 503) logger.warn('http_request', line);
    else if (status >= 500) logger.error('http_request', line);
    else logger.info('http_request', line);
  };
}
