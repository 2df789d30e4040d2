import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { endToEndHeaders, exchange, parseUpstream, readBody, respond } from './http-exchange';
import { SocketTracker } from './socket-tracker';
import { summarizeMessage, type MessageSummary } from './sync-message';
import { closeLike, openUpstreamSocket, refuseUpgrade } from './ws-link';

/** Where {@link startTcpProxy} forwards to, and where it listens. */
export interface TcpProxyOptions {
  /** The sync server, `http://127.0.0.1:PORT`. */
  target: string;
  /** Port to listen on (127.0.0.1); a free one when omitted. */
  port?: number;
}

/** How {@link TcpProxy.flapWebSocket} cuts connections. */
export interface FlapOptions {
  /** Cut each WebSocket right after this many messages passed through it (both directions counted). */
  everyNFrames: number;
}

/** One WebSocket message the proxy passed on, reported once it was handed to the next hop. */
export interface RelayedFrame {
  /** Number of the relayed WebSocket (1, 2, …), stable for its lifetime. */
  connection: number;
  /** `up`: client → server; `down`: server → client. */
  direction: 'up' | 'down';
  binary: boolean;
  bytes: number;
  summary: MessageSummary;
}

/** What went through the proxy so far. */
export interface ProxyCounters {
  /** TCP connections accepted, including the ones reset while blocked. */
  connections: number;
  /** Connections reset at once because the proxy was blocked. */
  refusedConnections: number;
  /** Plain HTTP requests forwarded (not upgrades). */
  httpRequests: number;
  /** WebSocket upgrade requests received. */
  upgrades: number;
  /** Upgrades answered with an error by {@link TcpProxy.refuseWebSocket}. */
  refusedUpgrades: number;
  /** WebSockets relayed end to end (upstream opened, client accepted). */
  webSockets: number;
  /** WebSockets cut by the proxy (flapping or block), not closed by either end. */
  cuts: number;
  bytesFromClients: number;
  bytesToClients: number;
  /**
   * Messages by channel and type: `ws:up:batch`, `ws:down:batch_ack`, `http:/api/sync/batch`,
   * `http:/api/sync/batch:200`…
   */
  messages: Record<string, number>;
}

/**
 * A loopback proxy between the extension and the sync server that a test controls: plain HTTP requests
 * are forwarded one by one, WebSocket upgrades are relayed message by message (so it can count, hold
 * and cut them). Faults: {@link block} (the network is gone), {@link flapWebSocket} (sockets die every
 * few messages, HTTP fine), {@link refuseWebSocket} (WebSockets never open, HTTP fine),
 * {@link holdReplies} (server → client WebSocket messages wait).
 */
export interface TcpProxy {
  /** `http://127.0.0.1:PORT`: give this to the extension as the server address. */
  readonly url: string;
  readonly port: number;
  /** Resets every open connection and every new one until {@link unblock}. */
  block(): void;
  unblock(): void;
  /** Cuts each WebSocket after `everyNFrames` messages (existing ones included); `null` stops flapping. */
  flapWebSocket(options: FlapOptions | null): void;
  /** Answers WebSocket upgrades with HTTP 503 (default true) while plain HTTP passes. */
  refuseWebSocket(refuse?: boolean): void;
  /**
   * Holds server → client WebSocket messages until called with false, then delivers them in order.
   * With `types`, only messages of those types start being held (e.g. `['batch_ack']`, so the socket
   * still authenticates and resumes); once one is held, everything after it waits too.
   */
  holdReplies(hold: boolean | { types: string[] }): void;
  /** Clears every fault: unblocked, no flapping, upgrades accepted, replies released. */
  heal(): void;
  counters(): ProxyCounters;
  /** Calls `listener` for every relayed WebSocket message; returns the unsubscribe function. */
  onFrame(listener: (frame: RelayedFrame) => void): () => void;
  /** Stops listening and cuts everything. Safe to call twice. */
  close(): Promise<void>;
}

interface Relay {
  id: number;
  client: WebSocket;
  upstream: WebSocket;
  frames: number;
  /** Set once the flap limit was reached: nothing more passes, the cut follows the last send. */
  cutting: boolean;
  held: { data: Buffer; binary: boolean }[];
}

/** Starts a {@link TcpProxy} on 127.0.0.1 in front of `options.target`. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const upstream = parseUpstream(options.target);
  const tracker = new SocketTracker();
  const relays = new Set<Relay>();
  const frameListeners = new Set<(frame: RelayedFrame) => void>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const counters = {
    connections: 0,
    refusedConnections: 0,
    httpRequests: 0,
    upgrades: 0,
    refusedUpgrades: 0,
    webSockets: 0,
    cuts: 0,
  };
  const messages: Record<string, number> = {};
  const count = (key: string) => (messages[key] = (messages[key] ?? 0) + 1);
  let blocked = false;
  let refusing = false;
  /** `null`: replies flow; a set: the types to hold (empty: all). */
  let holding: Set<string> | null = null;
  let flap: FlapOptions | null = null;
  let relayCounter = 0;
  let closed = false;

  const cut = (relay: Relay) => {
    if (!relays.delete(relay)) return;
    counters.cuts += 1;
    relay.client.terminate();
    relay.upstream.terminate();
  };

  const emitFrame = (frame: RelayedFrame) => {
    for (const listener of [...frameListeners]) listener(frame);
  };

  /** Passes one message on, counting it against the flap limit. */
  const pass = (relay: Relay, direction: 'up' | 'down', data: Buffer, binary: boolean) => {
    if (relay.cutting) return;
    relay.frames += 1;
    const last = flap !== null && relay.frames >= flap.everyNFrames;
    if (last) relay.cutting = true;
    const summary = summarizeMessage(data, binary);
    count(`ws:${direction}:${summary.type}`);
    const to = direction === 'up' ? relay.upstream : relay.client;
    if (to.readyState !== WebSocket.OPEN) {
      if (last) cut(relay);
      return;
    }
    to.send(data, { binary }, (err) => {
      if (!err) emitFrame({ connection: relay.id, direction, binary, bytes: data.length, summary });
      if (last) cut(relay);
    });
  };

  const startRelay = (client: WebSocket, up: WebSocket) => {
    const relay: Relay = { id: ++relayCounter, client, upstream: up, frames: 0, cutting: false, held: [] };
    relays.add(relay);
    counters.webSockets += 1;
    client.on('message', (data: Buffer, binary) => pass(relay, 'up', data, binary));
    up.on('message', (data: Buffer, binary) => {
      const hold =
        holding !== null &&
        (relay.held.length > 0 || holding.size === 0 || holding.has(summarizeMessage(data, binary).type));
      if (hold) relay.held.push({ data, binary });
      else pass(relay, 'down', data, binary);
    });
    client.once('close', (code, reason) => {
      relays.delete(relay);
      closeLike(up, code, reason);
    });
    up.once('close', (code, reason) => {
      relays.delete(relay);
      closeLike(client, code, reason);
    });
    // Errors are followed by close events, which do the work; without listeners they would throw.
    client.on('error', () => {});
    up.on('error', () => {});
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    counters.upgrades += 1;
    if (blocked) return void (socket as Socket).resetAndDestroy();
    if (refusing) {
      counters.refusedUpgrades += 1;
      return refuseUpgrade(socket);
    }
    let gone = false;
    socket.once('close', () => (gone = true));
    openUpstreamSocket(upstream, req).then(
      (up) => {
        if (gone || blocked) return up.terminate();
        wss.handleUpgrade(req, socket, head, (client) => startRelay(client, up));
      },
      // The server is down: the client's handshake fails as if it had dialled the server itself.
      () => (socket as Socket).resetAndDestroy(),
    );
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    counters.httpRequests += 1;
    const path = req.url ?? '/';
    count(`http:${path}`);
    readBody(req)
      .then((body) => exchange(upstream, req.method ?? 'GET', path, endToEndHeaders(req.headers), body))
      .then(
        (answer) => {
          count(`http:${path}:${answer.status}`);
          if (String(answer.headers['content-type'] ?? '').includes('json'))
            count(`http:reply:${summarizeMessage(answer.body, false).type}`);
          respond(res, answer);
        },
        // The server died mid-request (or the client went away): the client sees its connection drop.
        () => req.socket.resetAndDestroy(),
      );
  };

  const server = createServer(onRequest);
  server.on('connection', (socket: Socket) => {
    counters.connections += 1;
    if (blocked) {
      counters.refusedConnections += 1;
      socket.resetAndDestroy();
      return;
    }
    tracker.track(socket);
  });
  server.on('upgrade', onUpgrade);
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const release = () => {
    holding = null;
    for (const relay of relays) {
      const queued = relay.held.splice(0);
      for (const { data, binary } of queued) pass(relay, 'down', data, binary);
    }
  };

  const proxy: TcpProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    block() {
      blocked = true;
      for (const relay of [...relays]) cut(relay);
      tracker.destroyAll();
    },
    unblock() {
      blocked = false;
    },
    flapWebSocket(options) {
      if (options !== null && !(Number.isInteger(options.everyNFrames) && options.everyNFrames >= 1)) {
        throw new Error(`flapWebSocket: everyNFrames must be a positive integer, got ${options.everyNFrames}`);
      }
      flap = options;
      if (flap) for (const relay of [...relays]) if (relay.frames >= flap.everyNFrames) cut(relay);
    },
    refuseWebSocket(refuse = true) {
      refusing = refuse;
    },
    holdReplies(hold) {
      if (hold === false) release();
      else holding = new Set(hold === true ? [] : hold.types);
    },
    heal() {
      blocked = false;
      refusing = false;
      flap = null;
      release();
    },
    counters() {
      const bytes = tracker.bytes();
      return {
        ...counters,
        bytesFromClients: bytes.fromClients,
        bytesToClients: bytes.toClients,
        messages: { ...messages },
      };
    },
    onFrame(listener) {
      frameListeners.add(listener);
      return () => frameListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const relay of [...relays]) cut(relay);
      tracker.destroyAll();
      wss.close();
      await stopped;
    },
  };
  return proxy;
}
