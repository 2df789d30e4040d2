import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { endToEndHeaders, exchange, parseUpstream, readBody, respond, type Upstream } from './http-exchange';
import { SocketTracker } from './socket-tracker';
import { isBinaryBody, summarizeMessage, type MessageSummary } from './sync-message';
import { closeLike, openUpstreamSocket, refuseUpgrade } from './ws-link';

/** An ack for one batch, as one of the two upstream instances answered it. */
export interface UpstreamAck {
  /** Index of the instance in `upstreams`. */
  upstream: number;
  via: 'ws' | 'http';
  batchId: string;
  sessionId: string;
  inserted: number;
  duplicates: number;
  ackedThrough: number;
}

/** What the duplicating proxy did so far. */
export interface DuplicationCounters {
  /** Client WebSockets mirrored to both instances. */
  webSockets: number;
  refusedUpgrades: number;
  /** Client WebSocket messages sent to both instances. */
  mirroredMessages: number;
  /** Batches delivered to both instances (WebSocket messages and HTTP posts). */
  mirroredBatches: number;
  /** Plain HTTP requests; only `POST /api/sync/batch` is duplicated, the rest go to one instance. */
  httpRequests: number;
  /** Replies of the instance that does not answer the client: read, recorded, dropped. */
  droppedReplies: number;
  /** Every batch ack from either instance, in arrival order. */
  acks: UpstreamAck[];
}

/**
 * A proxy in front of two sync server instances that delivers every batch twice, once to each: the
 * client's WebSocket is mirrored to both (each authenticated by the client's own `authenticate`, since
 * every client message goes to both) and only one instance's replies reach the client, alternating per
 * connection; `POST /api/sync/batch` goes to both, alternating which answer the client gets. Both acks
 * are recorded, so a test can check the two instances together inserted each event exactly once.
 */
export interface DuplicatingProxy {
  readonly url: string;
  readonly port: number;
  /** Answers WebSocket upgrades with HTTP 503 (default true), forcing the client onto HTTP. */
  refuseWebSocket(refuse?: boolean): void;
  counters(): DuplicationCounters;
  close(): Promise<void>;
}

/** Where {@link startDuplicatingProxy} forwards to. */
export interface DuplicatingProxyOptions {
  /** The two instances, `http://127.0.0.1:PORT` each, sharing one database. */
  upstreams: [string, string];
}

/**
 * After the client left, the silent instance still gets this long to answer what it was sent, so its
 * acks are recorded too (a batch is stored in milliseconds; seconds mean a hung instance).
 */
const SECONDARY_DRAIN_MS = 5_000;

interface Mirror {
  client: WebSocket;
  primary: WebSocket;
  secondary: WebSocket;
  secondaryIndex: number;
  /** Messages sent to the secondary minus replies from it: every message gets exactly one reply. */
  secondaryOwed: number;
}

function ackOf(summary: MessageSummary, upstream: number, via: 'ws' | 'http'): UpstreamAck | undefined {
  const m = summary.message;
  if (summary.type !== 'batch_ack' || !m) return undefined;
  return {
    upstream,
    via,
    batchId: String(m.batchId),
    sessionId: String(m.sessionId),
    inserted: Number(m.inserted),
    duplicates: Number(m.duplicates),
    ackedThrough: Number(m.ackedThrough),
  };
}

/** Starts a {@link DuplicatingProxy} on 127.0.0.1. */
export async function startDuplicatingProxy(options: DuplicatingProxyOptions): Promise<DuplicatingProxy> {
  const upstreams: Upstream[] = options.upstreams.map(parseUpstream);
  const tracker = new SocketTracker();
  const mirrors = new Set<Mirror>();
  const extraSockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const counters: DuplicationCounters = {
    webSockets: 0,
    refusedUpgrades: 0,
    mirroredMessages: 0,
    mirroredBatches: 0,
    httpRequests: 0,
    droppedReplies: 0,
    acks: [],
  };
  let refusing = false;
  let turn = 0;
  let closed = false;

  const recordAck = (summary: MessageSummary, upstream: number, via: 'ws' | 'http') => {
    const ack = ackOf(summary, upstream, via);
    if (ack) counters.acks.push(ack);
  };

  /** Closes the silent instance once it answered everything it was sent (or after a grace period). */
  const retireSecondary = (mirror: Mirror) => {
    const { secondary } = mirror;
    if (secondary.readyState !== WebSocket.OPEN) return;
    if (mirror.secondaryOwed <= 0) return secondary.close(1000, 'client left');
    extraSockets.add(secondary);
    const timer = setTimeout(() => secondary.terminate(), SECONDARY_DRAIN_MS);
    secondary.on('message', () => {
      if (mirror.secondaryOwed <= 0) secondary.close(1000, 'client left');
    });
    secondary.once('close', () => {
      clearTimeout(timer);
      extraSockets.delete(secondary);
    });
  };

  const startMirror = (client: WebSocket, sockets: WebSocket[], primaryIndex: number) => {
    const secondaryIndex = 1 - primaryIndex;
    const mirror: Mirror = {
      client,
      primary: sockets[primaryIndex]!,
      secondary: sockets[secondaryIndex]!,
      secondaryIndex,
      secondaryOwed: 0,
    };
    mirrors.add(mirror);
    counters.webSockets += 1;
    client.on('message', (data: Buffer, binary) => {
      counters.mirroredMessages += 1;
      if (summarizeMessage(data, binary).type === 'batch') counters.mirroredBatches += 1;
      for (const s of [mirror.primary, mirror.secondary]) if (s.readyState === WebSocket.OPEN) s.send(data, { binary });
      if (mirror.secondary.readyState === WebSocket.OPEN) mirror.secondaryOwed += 1;
    });
    mirror.primary.on('message', (data: Buffer, binary) => {
      recordAck(summarizeMessage(data, binary), primaryIndex, 'ws');
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
    });
    mirror.secondary.on('message', (data: Buffer, binary) => {
      mirror.secondaryOwed -= 1;
      counters.droppedReplies += 1;
      recordAck(summarizeMessage(data, binary), secondaryIndex, 'ws');
    });
    client.once('close', (code, reason) => {
      mirrors.delete(mirror);
      closeLike(mirror.primary, code, reason);
      retireSecondary(mirror);
    });
    // Either instance going away ends the mirror: from then on batches would no longer arrive twice.
    for (const s of [mirror.primary, mirror.secondary]) {
      s.once('close', (code, reason) => {
        if (!mirrors.delete(mirror)) return;
        closeLike(client, code, reason);
        for (const other of [mirror.primary, mirror.secondary]) if (other !== s) other.terminate();
      });
    }
    for (const s of [client, mirror.primary, mirror.secondary]) s.on('error', () => {});
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (refusing) {
      counters.refusedUpgrades += 1;
      return refuseUpgrade(socket);
    }
    const primaryIndex = turn++ % 2;
    void Promise.allSettled(upstreams.map((u) => openUpstreamSocket(u, req))).then((results) => {
      const sockets = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      if (sockets.length !== upstreams.length || socket.destroyed) {
        sockets.forEach((s) => s.terminate());
        return (socket as Socket).resetAndDestroy();
      }
      wss.handleUpgrade(req, socket, head, (client) => startMirror(client, sockets, primaryIndex));
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    counters.httpRequests += 1;
    const primaryIndex = turn++ % 2;
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    const duplicate = method === 'POST' && path === '/api/sync/batch';
    const headers = endToEndHeaders(req.headers);
    const binary = isBinaryBody(req.headers['content-type']);
    readBody(req)
      .then((body) => {
        const send = (index: number) =>
          exchange(upstreams[index]!, method, path, headers, body).then((answer) => {
            if (String(answer.headers['content-type'] ?? '').includes('json'))
              recordAck(summarizeMessage(answer.body, false), index, 'http');
            return answer;
          });
        if (duplicate) {
          if (summarizeMessage(body, binary).type === 'batch') counters.mirroredBatches += 1;
          send(1 - primaryIndex).then(
            () => (counters.droppedReplies += 1),
            () => {},
          );
        }
        return send(primaryIndex);
      })
      .then(
        (answer) => respond(res, answer),
        () => req.socket.resetAndDestroy(),
      );
  };

  const server = createServer(onRequest);
  server.on('connection', (socket: Socket) => tracker.track(socket));
  server.on('upgrade', onUpgrade);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    refuseWebSocket(refuse = true) {
      refusing = refuse;
    },
    counters: () => ({ ...counters, acks: [...counters.acks] }),
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const m of mirrors) for (const s of [m.client, m.primary, m.secondary]) s.terminate();
      for (const s of extraSockets) s.terminate();
      tracker.destroyAll();
      wss.close();
      await stopped;
    },
  };
}
