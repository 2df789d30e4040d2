import { Hono, type Context } from 'hono';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { readJsonBody } from '../http/read-body';
import type { ProtocolContext, Reply } from '../protocol/protocol-context';
import { handleBatch, handleResume, handleSessionClose } from '../protocol/sync-messages';
import { replyResponse } from './legacy-routes';
import type { RouteDeps } from './route-deps';

type Handler = (ctx: ProtocolContext, workerId: string, message: unknown) => Promise<Reply>;

/**
 * HTTP twins of the batch protocol, for clients that cannot keep a socket open: the bodies are the
 * socket messages (gzip with `Content-Type: application/octet-stream`, or plain JSON; `type` may be
 * left out), the answers the socket replies, with the same idempotency. Worker API key required.
 */
export function syncRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireAuth('worker'));

  const route = (type: string, handler: Handler) => async (c: Context<AppEnv>) => {
    const principal = c.get('principal');
    if (principal.kind !== 'worker') return errorResponse(c, 'forbidden', 'this route needs a worker API key');
    const body = await readJsonBody(c, deps.settings.maxInflatedBytes);
    if (!body.ok) return refusalResponse(c, body.error);
    if (typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
      return errorResponse(c, 'validation_failed', 'body must be a JSON object');
    }
    const message = { type, ...body.value } as Record<string, unknown>;
    if (message.type !== type) return errorResponse(c, 'validation_failed', `this route takes "${type}" messages`);
    return replyResponse(c, await handler(deps.protocol, principal.workerId, message));
  };

  app.post('/batch', route('batch', handleBatch));
  app.post('/resume', route('resume', handleResume));
  app.post('/session-close', route('session_close', handleSessionClose));
  return app;
}
