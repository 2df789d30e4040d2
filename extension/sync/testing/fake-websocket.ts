import type { Clock } from '@codesight/schema';
import type { FakeSyncServer } from './fake-server';
import type { WebSocketLike } from '../transport/ws-transport';

/** `WebSocket.readyState` values the transport reads. */
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

/**
 * A {@link WebSocketLike} the test drives by hand: it records what the transport sends and raises the
 * socket events the test chooses ({@link open}, {@link receive}, {@link drop}). `close()` only records:
 * the transport detaches its handlers before closing, so the browser's later close event is never seen.
 */
export class FakeWebSocket implements WebSocketLike {
  binaryType = 'blob';
  readyState = CONNECTING;
  /** Frames sent by the transport, in order. */
  readonly sent: (string | Uint8Array)[] = [];
  /** What `close()` was called with, if it was. */
  closedWith: { code?: number; reason?: string } | undefined;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string | ArrayBufferView | ArrayBuffer): void {
    if (this.readyState !== OPEN) throw new Error('send on a socket that is not open');
    if (typeof data === 'string') this.sent.push(data);
    else if (data instanceof ArrayBuffer) this.sent.push(new Uint8Array(data.slice(0)));
    else this.sent.push(new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = CLOSED;
  }

  /** Text frames sent, parsed. */
  sentJson(): unknown[] {
    return this.sent.filter((f): f is string => typeof f === 'string').map((f) => JSON.parse(f) as unknown);
  }

  /** The connection is established. */
  open(): void {
    this.readyState = OPEN;
    this.onopen?.({});
  }

  /** A frame arrives from the server: a string, or binary as an ArrayBuffer (the transport asks for those). */
  receive(data: unknown): void {
    this.onmessage?.({ data });
  }

  /** A JSON text frame arrives. */
  receiveJson(message: unknown): void {
    this.receive(JSON.stringify(message));
  }

  /** The connection drops (the error event, then the close event, as browsers raise them). */
  drop(code = 1006, reason = ''): void {
    this.readyState = CLOSED;
    this.onerror?.({});
    this.onclose?.({ code, reason });
  }
}

/** Options of {@link createFakeSocketServer}. */
export interface FakeSocketServerOptions {
  server: FakeSyncServer;
  clock: Clock;
  /** The key the server accepts; any other is answered `authentication_failed`. */
  apiKey: string;
  /** One-way latency of every frame and of the handshake, in ms. */
  latencyMs?: number;
}

/**
 * A `createSocket` whose sockets reach a {@link FakeSyncServer} over the fake clock: they open after a
 * latency, answer `authenticate` as the real endpoint does, then pass every frame to the server and its
 * answers back as JSON text. `sockets` lists every socket created, oldest first.
 */
export function createFakeSocketServer(options: FakeSocketServerOptions): {
  createSocket: (url: string) => FakeWebSocket;
  sockets: FakeWebSocket[];
} {
  const latency = options.latencyMs ?? 5;
  const sockets: FakeWebSocket[] = [];
  const later = (socket: FakeWebSocket, action: () => void) =>
    options.clock.setTimeout(() => {
      if (socket.readyState === OPEN) action();
    }, latency);
  const createSocket = (url: string): FakeWebSocket => {
    const socket = new FakeWebSocket(url);
    sockets.push(socket);
    let authenticated = false;
    const send = socket.send.bind(socket);
    socket.send = (data) => {
      send(data);
      const frame = socket.sent.at(-1)!;
      later(socket, () => {
        if (authenticated) {
          for (const reply of options.server.receive(frame)) socket.receiveJson(reply);
          return;
        }
        const hello = typeof frame === 'string' ? (JSON.parse(frame) as { type?: string; apiKey?: string }) : {};
        authenticated = hello.type === 'authenticate' && hello.apiKey === options.apiKey;
        socket.receiveJson(
          authenticated
            ? { type: 'authentication_success' }
            : { type: 'authentication_failed', message: 'invalid API key' },
        );
      });
    };
    options.clock.setTimeout(() => {
      if (socket.readyState === CONNECTING) socket.open();
    }, latency);
    return socket;
  };
  return { createSocket, sockets };
}
