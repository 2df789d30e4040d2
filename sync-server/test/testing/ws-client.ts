import WebSocket, { type ClientOptions } from 'ws';

/** A test client over the `ws` package: queued incoming messages and the close event as promises. */
export interface TestSocket {
  ws: WebSocket;
  /** The next message (parsed JSON), waiting at most `timeoutMs`. */
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `value` as a JSON text frame (strings are sent as they are). */
  send(value: unknown): void;
  /** Resolves with the close code and reason once the socket is closed. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens a socket to `url` and resolves once it is open. */
export function connect(url: string, options: ClientOptions = {}): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const inbox: Record<string, unknown>[] = [];
    const waiters: ((m: Record<string, unknown>) => void)[] = [];
    ws.on('message', (data) => {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const message = JSON.parse(bytes.toString()) as Record<string, unknown>;
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else inbox.push(message);
    });
    const closed = new Promise<{ code: number; reason: string }>((res) => {
      ws.on('close', (code, reason) => res({ code, reason: reason.toString() }));
    });
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {}); // a refused or reset socket also closes; tests look at `closed`
      resolve({
        ws,
        closed,
        send: (value) => ws.send(typeof value === 'string' ? value : JSON.stringify(value)),
        close: () => ws.close(),
        next(timeoutMs = 5000) {
          const queued = inbox.shift();
          if (queued) return Promise.resolve(queued);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => {
              const i = waiters.indexOf(waiter);
              if (i >= 0) waiters.splice(i, 1);
              rej(new Error(`no message within ${timeoutMs} ms`));
            }, timeoutMs);
            const waiter = (m: Record<string, unknown>) => {
              clearTimeout(timer);
              res(m);
            };
            waiters.push(waiter);
          });
        },
      });
    });
  });
}

/** Connects and authenticates; throws unless the server answers authentication_success. */
export async function connectAuthenticated(
  url: string,
  credential: { apiKey?: string; token?: string },
): Promise<TestSocket> {
  const socket = await connect(url);
  socket.send({ type: 'authenticate', ...credential });
  const reply = await socket.next();
  if (reply.type !== 'authentication_success') throw new Error(`authentication refused: ${JSON.stringify(reply)}`);
  return socket;
}
