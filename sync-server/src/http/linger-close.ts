import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** How long a connection closed with a request body still arriving keeps reading it before it is cut. */
export const LINGER_MS = 5_000;

/**
 * Closes the connection of an answer sent before its request body was read to the end, without losing
 * the answer (a lingering close, as nginx does).
 *
 * After a `Connection: close` answer Node and @hono/node-server destroy the socket as soon as the answer
 * is flushed. The client is usually still sending the body then, and closing a socket with unread bytes
 * in its receive buffer makes the kernel send a reset, which discards the answer on the client's side
 * before the client reads it: undici's fetch saw `ECONNRESET` instead of the 413 it was sent.
 *
 * So the socket is half-closed instead (the answer and a FIN go out), the rest of the body is read and
 * dropped until the client closes its side, and only after `lingerMs` is the socket cut regardless. Costs
 * bandwidth for a few seconds, no memory.
 */
export function lingerOnClose(incoming: IncomingMessage, lingerMs: number = LINGER_MS): void {
  const socket = incoming.socket as (Socket & { destroySoon?: () => void }) | null;
  if (!socket || socket.destroyed) return;
  // Bytes still arriving flow into nothing, so none wait in the receive buffer when the socket closes.
  incoming.on('data', () => {});
  incoming.resume();
  let lingering = false;
  socket.destroySoon = () => {
    if (lingering) return;
    lingering = true;
    closeGently(socket, lingerMs);
  };
}

/**
 * Half-closes `socket` (after `last`, when given), reads and drops whatever still arrives, and cuts it
 * after `lingerMs` unless the peer closed first: a close that does not reset the last answer away.
 */
export function closeGently(socket: Duplex, lingerMs: number = LINGER_MS, last?: string): void {
  if (socket.writable) {
    if (last === undefined) socket.end();
    else socket.end(last);
  }
  socket.resume();
  const cut = setTimeout(() => socket.destroy(), lingerMs);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
}
