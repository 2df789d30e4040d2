import WebSocket from 'ws';
import { SYNC_PROTOCOL_VERSION, type RecordedEvent, type SessionMeta } from '@codesight/schema';
import type { SyncClientMessage, SyncServerMessage } from '../../extension/sync/index';
import { createWsTransport, type WebSocketLike } from '../../extension/sync/transport/ws-transport';

/** Options of {@link measureAckLatency}. */
export interface AckLatencyOptions {
  wsUrl: string;
  apiKey: string;
  sessionId: string;
  meta: SessionMeta;
  /** Recorded events of `sessionId` (sequences 1..n), consumed in order; must hold enough for every batch. */
  events: readonly RecordedEvent[];
  /** Batches timed. */
  batches: number;
  /** Round trips of each kind sent first and not timed (connection, JIT and plan-cache warm-up). */
  warmup: number;
  /** Events per batch are drawn uniformly from 1..maxEventsPerBatch. */
  maxEventsPerBatch: number;
  random: () => number;
  /** Bound on one answer. */
  timeoutMs: number;
}

/** Round trips in ms, in the order they were made. */
export interface AckLatencyResult {
  /** `batch` → `batch_ack`, the measured metric. */
  batches: number[];
  /** `resume` of no session → `resume_state`: socket, gzip-free framing and server dispatch, no database. */
  floor: number[];
  /** `resume` of one session → `resume_state`: the floor plus one database query. */
  oneQuery: number[];
  eventsSent: number;
}

/** One authenticated WebSocket through the extension's transport, used request by request. */
async function openLink(wsUrl: string, apiKey: string, timeoutMs: number) {
  const transport = createWsTransport({
    url: wsUrl,
    apiKey,
    // `ws` implements the browser event-handler properties the transport uses; only its TS types differ.
    createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  });
  let waiting: ((message: SyncServerMessage) => void) | undefined;
  let lost: ((err: Error) => void) | undefined;
  let opened: () => void = () => {};
  const open = new Promise<void>((resolve, reject) => {
    opened = resolve;
    lost = reject;
  });
  const unsubscribe = transport.subscribe({
    onState(state) {
      if (state.status === 'open') opened();
      if (state.status === 'closed') lost?.(new Error(`ack latency: connection closed: ${state.reason}`));
    },
    onMessage(message) {
      waiting?.(message);
    },
  });
  transport.connect();
  await open;
  return {
    /** Sends `message` and resolves with the first answer and the ms from `send()` to its delivery. */
    async request(message: SyncClientMessage, label: string): Promise<{ ms: number; reply: SyncServerMessage }> {
      let timer: NodeJS.Timeout | undefined;
      const reply = new Promise<SyncServerMessage>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`ack latency: no answer to ${label} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiting = resolve;
        lost = reject;
      });
      const started = performance.now();
      transport.send(message);
      const answer = await reply;
      const ms = performance.now() - started;
      clearTimeout(timer);
      waiting = undefined;
      return { ms, reply: answer };
    },
    close() {
      unsubscribe();
      transport.close('ack latency measured');
    },
  };
}

/**
 * Sends small batches one at a time through the extension's WebSocket transport (gzip binary frames,
 * the path the engine uses, minus the engine's store bookkeeping) and times each from `send()` — which
 * includes gzip on the client — until its `batch_ack` has been validated by the transport. For
 * comparison, times the same number of database-free and one-query round trips on the same socket.
 */
export async function measureAckLatency(options: AckLatencyOptions): Promise<AckLatencyResult> {
  const link = await openLink(options.wsUrl, options.apiKey, options.timeoutMs);
  try {
    const result: AckLatencyResult = { batches: [], floor: [], oneQuery: [], eventsSent: 0 };
    let next = 1;
    for (let i = 0; i < options.warmup + options.batches; i++) {
      const count = 1 + Math.floor(options.random() * options.maxEventsPerBatch);
      const events = options.events.slice(next - 1, next - 1 + count);
      if (events.length !== count) throw new Error('ack latency: not enough events for the requested batches');
      const batchId = `lat-${i}`;
      const { ms, reply } = await link.request(
        {
          type: 'batch',
          v: SYNC_PROTOCOL_VERSION,
          batchId,
          sessionId: options.sessionId,
          session: options.meta,
          firstSequence: next,
          lastSequence: next + count - 1,
          events,
        },
        batchId,
      );
      if (reply.type !== 'batch_ack' || reply.batchId !== batchId)
        throw new Error(`ack latency: ${batchId} answered ${JSON.stringify(reply)}`);
      if (reply.ackedThrough !== next + count - 1)
        throw new Error(`ack latency: ${batchId} acked through ${reply.ackedThrough}, expected ${next + count - 1}`);
      if (i >= options.warmup) result.batches.push(ms);
      next += count;
    }
    result.eventsSent = next - 1;
    for (const [sessionIds, samples] of [
      [[], result.floor],
      [[options.sessionId], result.oneQuery],
    ] as const) {
      for (let i = 0; i < options.warmup + options.batches; i++) {
        const { ms, reply } = await link.request({ type: 'resume', sessionIds: [...sessionIds] }, 'resume');
        if (reply.type !== 'resume_state') throw new Error(`ack latency: resume answered ${JSON.stringify(reply)}`);
        if (i >= options.warmup) samples.push(ms);
      }
    }
    return result;
  } finally {
    link.close();
  }
}

/** The nearest-rank percentile `p` (0–100) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
