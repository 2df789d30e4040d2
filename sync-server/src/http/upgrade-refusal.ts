import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { Socket } from 'node:net';
import type { Context } from 'hono';
import type { ErrorCode } from '@codesight/schema';
import { errorResponse } from './errors';

/** The part of @hono/node-server's bindings read here; `outgoing` is absent on a WebSocket upgrade. */
interface NodeUpgradeBindings {
  incoming?: IncomingMessage;
  outgoing?: unknown;
}

/** How long a refused upgrade's socket may take to flush its answer before it is cut. */
const FLUSH_TIMEOUT_MS = 5000;

/** The raw socket of a WebSocket upgrade request, or undefined for an ordinary request (or app.request). */
function upgradeSocket(c: Context): Socket | undefined {
  const env = c.env as NodeUpgradeBindings | undefined;
  if (!env?.incoming || env.outgoing !== undefined) return undefined;
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return undefined;
  const socket: unknown = env.incoming.socket;
  // In-process requests (app.request in tests) carry a stand-in with an address only.
  return socket instanceof Socket ? socket : undefined;
}

/**
 * Answers a refusal of a request that may be a WebSocket upgrade. @hono/node-server answers a refused
 * upgrade with the status and an empty body, so the client would never read why; here the JSON error is
 * written on the socket itself and the socket is closed once it is flushed, before the library looks
 * at it (it leaves a destroyed socket alone). Ordinary requests get {@link errorResponse} as usual.
 */
export async function refuseRequestOrUpgrade(c: Context, code: ErrorCode, message: string): Promise<Response> {
  const response = errorResponse(c, code, message);
  const socket = upgradeSocket(c);
  if (!socket || socket.destroyed) return response;
  const body = Buffer.from(await response.clone().text());
  const head = [
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json',
    'Cache-Control: no-store',
    `Content-Length: ${body.length}`,
  ];
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // A peer that never reads must not hold the socket: the answer is small, so this only cuts the stuck.
  const timer = setTimeout(() => socket.destroy(), FLUSH_TIMEOUT_MS);
  timer.unref();
  // Destroyed once flushed, without waiting for the peer's FIN.
  socket.once('finish', () => socket.destroy());
  socket.end(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]));
  await closed;
  clearTimeout(timer);
  return response;
}
