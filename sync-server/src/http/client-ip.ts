import type { Context } from 'hono';
import type { IncomingMessage } from 'node:http';

/** Node bindings @hono/node-server passes as `c.env`; absent under `app.request()` in tests. */
interface NodeEnvBindings {
  incoming?: IncomingMessage;
}

/**
 * The client's IP address. X-Forwarded-For is honoured only when `trustProxy` > 0, and then only the
 * entry added by the outermost trusted proxy: entries further left are whatever the client wrote.
 * With `trustProxy` = N, the client is the N-th address from the right.
 */
export function clientIp(c: Context, trustProxy: number): string {
  const socketIp = (c.env as NodeEnvBindings | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';
  if (trustProxy <= 0) return socketIp;
  const header = c.req.header('x-forwarded-for');
  if (!header) return socketIp;
  const hops = header
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (hops.length === 0) return socketIp;
  return hops[Math.max(0, hops.length - trustProxy)] ?? socketIp;
}
