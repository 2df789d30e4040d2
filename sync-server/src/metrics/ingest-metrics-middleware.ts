import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/app-env';
import type { IngestMetrics } from './ingest-metrics';
import type { ServerMetrics } from './server-metrics';

/** Answers larger than this are not parsed for counting: acks and refusals are a few hundred bytes. */
const MAX_COUNTED_BODY_BYTES = 16 * 1024;

/** The HTTP routes that store session data (the socket's twins and the upload flow). */
export function isIngestRequest(method: string, path: string): boolean {
  if (method !== 'POST' && method !== 'PUT') return false;
  return (
    path.startsWith('/api/sync/') ||
    path.startsWith('/api/upload/') ||
    path === '/api/sessions' ||
    path === '/api/interactions' ||
    /^\/api\/sessions\/[^/]+\/screenshots$/.test(path)
  );
}

/**
 * Counts what the HTTP ingest routes answered: stored events from their acks, and every refusal by code
 * (those of the credential check, rate limits and body limits too, which run before the route); with
 * `server`, also the bodies' declared sizes and how long `POST /api/sync/batch` took to answer.
 */
export function countIngestAnswers(
  metrics: IngestMetrics,
  server?: Pick<ServerMetrics, 'ingestBytes' | 'batchAnswered'>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    if (!isIngestRequest(c.req.method, c.req.path)) return;
    if (server) {
      // The declared size: a body refused before it was read still arrived (or was drained).
      const declared = Number(c.req.header('content-length') ?? '0');
      if (Number.isSafeInteger(declared)) server.ingestBytes('http', declared);
      if (c.req.path === '/api/sync/batch') server.batchAnswered('http', (performance.now() - started) / 1000);
    }
    const res = c.res;
    const length = Number(res.headers.get('content-length') ?? '0');
    const isJson = res.headers.get('content-type')?.startsWith('application/json') ?? false;
    if (!isJson || length > MAX_COUNTED_BODY_BYTES) {
      if (res.status >= 400) metrics.recordRefusal(`http_${res.status}`);
      return;
    }
    try {
      const body = (await res.clone().json()) as Record<string, unknown> | null;
      if (typeof body !== 'object' || body === null) return;
      const error = body.error as { code?: unknown } | undefined;
      if (res.status >= 400) metrics.recordRefusal(typeof error?.code === 'string' ? error.code : `http_${res.status}`);
      else if (typeof body.type === 'string') metrics.recordReply({ ...body, type: body.type });
    } catch {
      if (res.status >= 400) metrics.recordRefusal(`http_${res.status}`);
    }
  };
}
