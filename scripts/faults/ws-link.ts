import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { Upstream } from './http-exchange';

/** The handshake of a loopback server takes milliseconds; 10 s means it is hung. */
const UPSTREAM_OPEN_TIMEOUT_MS = 10_000;

/**
 * Opens the upstream half of a relayed WebSocket for the client's upgrade `req` (same path, same
 * Origin). The proxy accepts the client only once this opened, so a client whose server is down sees
 * its handshake fail, exactly as without the proxy.
 */
export function openUpstreamSocket(upstream: Upstream, req: IncomingMessage): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (req.headers['user-agent']) headers['user-agent'] = req.headers['user-agent'];
    const ws = new WebSocket(`ws://${upstream.host}:${upstream.port}${req.url ?? '/'}`, {
      headers,
      origin: req.headers.origin,
      perMessageDeflate: false,
      handshakeTimeout: UPSTREAM_OPEN_TIMEOUT_MS,
    });
    const fail = (err: Error) => {
      ws.removeAllListeners('open');
      ws.terminate();
      reject(err);
    };
    ws.once('open', () => {
      ws.off('error', fail);
      resolve(ws);
    });
    ws.once('error', fail);
    ws.once('unexpected-response', (_req, res) =>
      fail(new Error(`upstream answered the upgrade with HTTP ${res.statusCode}`)),
    );
  });
}

/** Close codes an endpoint may put in a close frame (1005, 1006 and 1015 only describe what happened). */
function sendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/**
 * Passes one side's close on to the other: the same code and reason when they can be sent, else an
 * abrupt end (the peer sees 1006, as it would have without the proxy).
 */
export function closeLike(target: WebSocket, code: number, reason: Buffer): void {
  if (target.readyState === WebSocket.CLOSED) return;
  if (sendableCode(code) && target.readyState === WebSocket.OPEN) target.close(code, reason);
  else target.terminate();
}

/** Refuses a WebSocket upgrade with an HTTP error, as a proxy or firewall that strips WebSockets does. */
export function refuseUpgrade(socket: Duplex, status = 503, text = 'Service Unavailable'): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n`,
  );
}
