import WebSocket from 'ws';
import { createSyncEngine, type BatchLimits } from '../../extension/sync/index';
import { createWsTransport, type WebSocketLike } from '../../extension/sync/transport/ws-transport';
import type { BacklogStore } from './backlog-store';

/** What to drain and how. */
export interface DrainOptions {
  wsUrl: string;
  apiKey: string;
  store: BacklogStore;
  /** Engine window; undefined: the engine's DEFAULT_WINDOW. */
  window?: number;
  /** Engine batch limits; undefined fields: DEFAULT_BATCH_LIMITS. */
  batchLimits?: Partial<BatchLimits>;
  /** The run fails (and the engine is stopped) if the backlog is not drained within this. */
  timeoutMs: number;
}

/** One timed drain. Times are ms from `engine.start()`. */
export interface DrainResult {
  events: number;
  /** Until every session's ackedThrough equals its eventCount. */
  ackedMs: number;
  /** Until every session was confirmed complete (`session_closed` answering `session_close`). */
  closedMs: number;
  /** Binary frames sent: one per batch, resends included. */
  batchFrames: number;
  /** gzip bytes of those frames, as they left the socket. */
  batchBytes: number;
  /** Text frames sent (authenticate, resume, session_close). */
  textFrames: number;
  /** The engine's last error, if it recorded one (a clean run has none). */
  lastError?: string;
}

/** A `ws` socket that counts what the transport sends through it. */
function countingSocket(
  url: string,
  counters: { batchFrames: number; batchBytes: number; textFrames: number },
): WebSocketLike {
  const socket = new WebSocket(url);
  const send = socket.send.bind(socket);
  socket.send = ((data: string | ArrayBufferView | ArrayBuffer) => {
    if (typeof data === 'string') counters.textFrames += 1;
    else {
      counters.batchFrames += 1;
      counters.batchBytes += data.byteLength;
    }
    send(data);
  }) as typeof socket.send;
  // `ws` implements the browser event-handler properties the transport uses; only its TS types differ.
  return socket as unknown as WebSocketLike;
}

/**
 * Starts the extension's real sync engine (WebSocket transport, `ws` as the socket) on a store that
 * already holds the backlog, and times it until everything is acked and every session closed complete.
 */
export async function drainWithEngine(options: DrainOptions): Promise<DrainResult> {
  const counters = { batchFrames: 0, batchBytes: 0, textFrames: 0 };
  const transport = createWsTransport({
    url: options.wsUrl,
    apiKey: options.apiKey,
    createSocket: (url) => countingSocket(url, counters),
  });
  const engine = createSyncEngine({
    store: options.store,
    ws: transport,
    ...(options.window !== undefined && { window: options.window }),
    ...(options.batchLimits !== undefined && { batchLimits: options.batchLimits }),
  });
  const events = options.store.sessionIds().reduce((sum, id) => sum + options.store.inspect(id).eventCount, 0);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const status = engine.getStatus();
      reject(
        new Error(
          `engine drain not finished after ${options.timeoutMs} ms: ${status.pendingEvents} events pending, connection ${status.connection}, last error ${status.lastError?.message ?? 'none'}`,
        ),
      );
    }, options.timeoutMs);
  });
  const started = performance.now();
  try {
    engine.start();
    const [ackedAt, closedAt] = await Promise.race([
      Promise.all([options.store.whenAllAcked(), options.store.whenAllClosed()]),
      timeout,
    ]);
    const lastError = engine.getStatus().lastError;
    return {
      events,
      ackedMs: ackedAt - started,
      closedMs: closedAt - started,
      ...counters,
      ...(lastError && { lastError: `${lastError.code}: ${lastError.message}` }),
    };
  } finally {
    clearTimeout(timer);
    await engine.stop();
  }
}
