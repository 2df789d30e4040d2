import { Hono, type Context } from 'hono';
import { requireAuth, workerIdOf } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { readJsonBody } from '../http/read-body';
import { handleInteractionData, handleScreenshotData, handleSessionStart } from '../protocol/legacy-messages';
import { isErrorReply, type Reply } from '../protocol/protocol-context';
import { listSessionsHandler } from './list-sessions';
import type { RouteDeps } from './route-deps';

/** Answers a protocol reply over HTTP: an `error` reply becomes the 4xx body, an ack is the JSON body. */
export function replyResponse(c: Context<AppEnv>, reply: Reply, okStatus: 200 | 201 = 200): Response {
  if (isErrorReply(reply)) return errorResponse(c, reply.code, reply.message);
  return c.json(reply, okStatus);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The legacy REST endpoints of session management. Their bodies are the WebSocket messages without
 * `type` (the route implies it), and they are stored by the same handlers, so the two transports
 * cannot drift apart. Writing needs a worker API key; listing accepts a worker key (own sessions) or
 * an admin token (everyone's).
 */
export function legacyRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const worker = requireAuth('worker');
  const anyone = requireAuth('any');
  const max = deps.settings.maxInflatedBytes;

  app.post('/sessions', worker, async (c) => {
    const body = await readJsonBody(c, max);
    if (!body.ok) return refusalResponse(c, body.error);
    if (!isObject(body.value)) return errorResponse(c, 'validation_failed', 'body must be a JSON object');
    const reply = await handleSessionStart(deps.protocol, workerIdOf(c), { ...body.value, type: 'session_start' });
    return replyResponse(c, reply, reply.type === 'ack' && reply.stored > 0 ? 201 : 200);
  });

  app.get('/sessions', anyone, listSessionsHandler(deps));

  app.post('/interactions', worker, async (c) => {
    const body = await readJsonBody(c, max);
    if (!body.ok) return refusalResponse(c, body.error);
    if (!isObject(body.value)) return errorResponse(c, 'validation_failed', 'body must be a JSON object');
    // `data` as on the socket; `interactions` accepted as a clearer alias for REST callers.
    const { sessionId, data, interactions } = body.value;
    const reply = await handleInteractionData(deps.protocol, workerIdOf(c), {
      type: 'interaction_data',
      sessionId,
      data: data ?? interactions,
    });
    return replyResponse(c, reply, reply.type === 'ack' && reply.stored > 0 ? 201 : 200);
  });

  app.post('/sessions/:id/screenshots', worker, async (c) => {
    const body = await readJsonBody(c, max);
    if (!body.ok) return refusalResponse(c, body.error);
    if (!isObject(body.value)) return errorResponse(c, 'validation_failed', 'body must be a JSON object');
    const reply = await handleScreenshotData(deps.protocol, workerIdOf(c), {
      ...body.value,
      type: 'screenshot_data',
      sessionId: c.req.param('id'),
    });
    return replyResponse(c, reply, reply.type === 'ack' && reply.stored > 0 ? 201 : 200);
  });

  return app;
}
