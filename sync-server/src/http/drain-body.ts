import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env';
import { lingerOnClose } from './linger-close';
import { declaredLength, discardRest } from './request-body';

/**
 * How much of a body nobody read is read and dropped before answering: what @hono/node-server itself
 * would drain. Reading costs bandwidth, not memory (nothing is kept).
 */
export const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Makes every answer reach the client, refusals above all (401 bad key, 413 too large, 429, 404...).
 *
 * A request refused before its body was read left the body on the wire. @hono/node-server then drains
 * it for at most 500 ms — and when something had opened the body as a Web stream (Hono's bodyLimit
 * did, for every POST), that stream stops the drain after one chunk — and destroys the socket: a
 * keep-alive client (undici's fetch) still sending the body got `other side closed` / `EPIPE`
 * instead of the JSON 4xx, and so did its next request on that connection.
 *
 * So the rest of an unread body is read and dropped here (up to `maxDrainBytes`) BEFORE the answer is
 * sent: the client finishes sending, reads the answer, and the connection stays usable. A body declared
 * or found longer than that is not waited for: the answer goes out with `Connection: close`, and the
 * connection lingers (linger-close.ts) so that closing it does not reset the answer away.
 * Register it before every middleware that can answer early.
 */
export function drainUnreadBody(maxDrainBytes: number = MAX_DRAIN_BYTES): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // The request as received: later middleware may replace c.req.raw (the body limit does).
    const raw = c.req.raw;
    await next();
    if (raw.method === 'GET' || raw.method === 'HEAD' || raw.body === null) return;
    if (!raw.bodyUsed) {
      const declared = declaredLength(raw.headers);
      const drained =
        declared !== undefined && declared > maxDrainBytes
          ? false
          : await discardRest(raw.body.getReader(), maxDrainBytes);
      if (!drained) c.res.headers.set('Connection', 'close');
    }
    // Also when the body limit answered `Connection: close` itself, for a body it stopped reading.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (c.res.headers.get('connection')?.toLowerCase() === 'close' && incoming?.socket && !incoming.readableEnded)
      lingerOnClose(incoming);
  };
}
