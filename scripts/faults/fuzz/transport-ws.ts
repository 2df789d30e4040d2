import WebSocket from 'ws';
import type { Answer } from './answer';

/**
 * A WebSocket client for the fuzzer: frames go out exactly as built (text frames with invalid UTF-8
 * included: `ws` does not check what it sends), and everything that comes back — replies, a close, a
 * refused upgrade — is queued as events to be read one at a time with a bound.
 */

type Event = Answer & { kind: 'reply' | 'close' | 'http' | 'dropped' };

/** An open (or refused) fuzz socket. */
export interface FuzzSocket {
  /** False when the upgrade was refused or failed: `next()` returns why. */
  readonly opened: boolean;
  send(data: Buffer, binary: boolean): boolean;
  /** The next reply, or how the connection ended; `timeout` after `timeoutMs` of silence. */
  next(timeoutMs: number): Promise<Answer>;
  /** True once the connection is closed (after its events were read). */
  isClosed(): boolean;
  terminate(): void;
}

/** Opens a socket to `url`; resolves once it is open or refused (never rejects). */
export function openFuzzSocket(
  url: string,
  headers: Record<string, string>,
  openTimeoutMs: number,
): Promise<FuzzSocket> {
  return new Promise((resolve) => {
    const { origin, ...rest } = headers;
    const ws = new WebSocket(url, { headers: rest, origin, perMessageDeflate: false, handshakeTimeout: openTimeoutMs });
    const events: Event[] = [];
    let waiter: ((e: Event) => void) | undefined;
    let closed = false;
    let opened = false;
    let settled = false;
    const push = (e: Event) => {
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(e);
      } else events.push(e);
    };
    const socket: FuzzSocket = {
      get opened() {
        return opened;
      },
      send(data, binary) {
        if (ws.readyState !== WebSocket.OPEN) return false;
        ws.send(data, { binary }, () => {});
        return true;
      },
      next(timeoutMs) {
        const queued = events.shift();
        if (queued) return Promise.resolve(queued);
        if (closed) return Promise.resolve({ kind: 'dropped', detail: 'connection already closed' });
        return new Promise<Answer>((res) => {
          const timer = setTimeout(() => {
            waiter = undefined;
            res({ kind: 'timeout' });
          }, timeoutMs);
          waiter = (e) => {
            clearTimeout(timer);
            res(e);
          };
        });
      },
      isClosed: () => closed && events.length === 0,
      terminate: () => ws.terminate(),
    };
    const settle = () => {
      if (settled) return;
      settled = true;
      resolve(socket);
    };
    ws.on('message', (data: Buffer, isBinary) => {
      const raw = isBinary ? `<binary ${data.length} bytes>` : data.toString('utf8');
      let message: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
          message = parsed as Record<string, unknown>;
      } catch {
        message = undefined;
      }
      push({ kind: 'reply', message, raw: raw.slice(0, 4096) });
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        push({
          kind: 'http',
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        closed = true;
        ws.terminate();
        settle();
      });
      res.on('error', () => {});
    });
    ws.on('open', () => {
      opened = true;
      settle();
    });
    let failure: string | undefined;
    ws.on('error', (err: NodeJS.ErrnoException) => {
      failure ??= err.code ?? err.message;
    });
    ws.on('close', (code, reason) => {
      if (closed) return settle();
      closed = true;
      // 1006: no close frame came, the connection just ended.
      push(
        code === 1006
          ? { kind: 'dropped', detail: failure ?? 'closed without a close frame (1006)' }
          : { kind: 'close', code, reason: reason.toString() },
      );
      settle();
    });
  });
}
