import WebSocket from 'ws';
import { SYNC_PROTOCOL_VERSION, type RecordedEvent, type SessionMeta } from '@codesight/schema';
import { createHttpTransport } from '../../../extension/sync/transport/http-transport';
import type { SyncTransport } from '../../../extension/sync/transport/transport';
import { createWsTransport, type WebSocketLike } from '../../../extension/sync/transport/ws-transport';

/** One simulated worker: its key, its session and the events it will push. */
export interface WorkerPlan {
  apiKey: string;
  sessionId: string;
  meta: SessionMeta;
  events: readonly RecordedEvent[];
  kind: 'ws' | 'http';
  /** Where this worker's server instance listens. */
  wsUrl: string;
  baseUrl: string;
}

/** What one worker saw. */
export interface WorkerOutcome {
  /** Highest sequence the server acknowledged as stored contiguously. */
  ackedThrough: number;
  /** `batch` → `batch_ack` round trips, ms. */
  ackMs: number[];
  /** Error replies and lost connections, by code. */
  errors: Map<string, number>;
  batchesSent: number;
  done: boolean;
}

/** Shared by all workers of a run: who is connected now, and the most ever at once. */
export interface ConnectionGauge {
  open: number;
  peak: number;
}

interface Pacing {
  batchEvents: number;
  /** Pause before the next batch after an ack. */
  pauseMs: () => number;
  /** After this, the worker stops whatever its state (the run's bound). */
  deadline: number;
  ackTimeoutMs: number;
}

const RECONNECT_MS = [250, 500, 1_000, 2_000, 4_000] as const;

/**
 * Pushes a worker's events through the extension's own transport (WebSocket, or its HTTP twin): one
 * batch in flight, the next after a pause once it is acknowledged; a refusal is retried after the
 * `Retry-After` it carried (or a short wait), a lost connection is reopened with backoff and the
 * unacknowledged batch sent again — as the engine does, minus its store. Resolves when every event is
 * acknowledged or at the deadline.
 */
export function runSimulatedWorker(plan: WorkerPlan, pacing: Pacing, gauge: ConnectionGauge): Promise<WorkerOutcome> {
  const outcome: WorkerOutcome = { ackedThrough: 0, ackMs: [], errors: new Map(), batchesSent: 0, done: false };
  const count = (code: string) => outcome.errors.set(code, (outcome.errors.get(code) ?? 0) + 1);
  const transport: SyncTransport =
    plan.kind === 'ws'
      ? createWsTransport({
          url: plan.wsUrl,
          apiKey: plan.apiKey,
          // `ws` implements the browser event-handler properties the transport uses; only its TS types differ.
          createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
        })
      : createHttpTransport({ baseUrl: plan.baseUrl, apiKey: plan.apiKey });

  return new Promise((resolve) => {
    let isOpen = false;
    let inFlight: { batchId: string; last: number; sentAt: number } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let reconnects = 0;
    let batchNo = 0;

    const later = (ms: number, step: () => void) => {
      clearTimeout(timer);
      timer = setTimeout(step, Math.max(0, Math.min(ms, pacing.deadline - Date.now())));
    };
    const setOpen = (open: boolean) => {
      if (open === isOpen) return;
      isOpen = open;
      gauge.open += open ? 1 : -1;
      gauge.peak = Math.max(gauge.peak, gauge.open);
    };
    const finish = () => {
      clearTimeout(timer);
      setOpen(false);
      unsubscribe();
      transport.close('load bench: worker done');
      resolve(outcome);
    };
    const sendNext = () => {
      if (Date.now() >= pacing.deadline) return finish();
      if (!isOpen) return;
      const first = outcome.ackedThrough + 1;
      const events = plan.events.slice(first - 1, first - 1 + pacing.batchEvents);
      if (events.length === 0) {
        outcome.done = true;
        return finish();
      }
      const batchId = `${plan.sessionId}-${++batchNo}`;
      const last = first + events.length - 1;
      inFlight = { batchId, last, sentAt: performance.now() };
      outcome.batchesSent++;
      transport.send({
        type: 'batch',
        v: SYNC_PROTOCOL_VERSION,
        batchId,
        sessionId: plan.sessionId,
        session: plan.meta,
        firstSequence: first,
        lastSequence: last,
        events,
      });
      // An answer that never comes: treat the link as lost (the engine's ack timeout does the same).
      later(pacing.ackTimeoutMs, () => {
        count('ack_timeout');
        inFlight = undefined;
        setOpen(false);
        transport.close('ack timeout');
        reconnect();
      });
    };
    const reconnect = () => {
      if (Date.now() >= pacing.deadline) return finish();
      const wait = RECONNECT_MS[Math.min(reconnects++, RECONNECT_MS.length - 1)]!;
      later(wait * (0.5 + Math.random()), () => transport.connect());
    };

    const unsubscribe = transport.subscribe({
      onState(state) {
        if (state.status === 'open') {
          setOpen(true);
          reconnects = 0;
          sendNext();
        } else if (state.status === 'closed') {
          const wasOpen = isOpen;
          setOpen(false);
          inFlight = undefined;
          count(wasOpen ? `lost: ${shortReason(state.reason)}` : `connect failed: ${shortReason(state.reason)}`);
          reconnect();
        }
      },
      onMessage(message) {
        if (message.type === 'batch_ack' && inFlight && message.batchId === inFlight.batchId) {
          outcome.ackMs.push(performance.now() - inFlight.sentAt);
          outcome.ackedThrough = Math.max(outcome.ackedThrough, message.ackedThrough);
          inFlight = undefined;
          if (outcome.ackedThrough >= plan.events.length) {
            outcome.done = true;
            return finish();
          }
          later(pacing.pauseMs(), sendNext);
        } else if (message.type === 'error') {
          count(message.code);
          inFlight = undefined;
          // A refusal that retrying cannot fix ends the worker; what it stored is still checked.
          if (message.retryable === false) return finish();
          const seconds = /retry in (\d+) s/.exec(message.message)?.[1];
          later(seconds ? Number(seconds) * 1000 : 500, sendNext);
        }
      },
    });
    transport.connect();
  });
}

/** Close reasons carry addresses and ids; the code or first words are what groups them. */
function shortReason(reason: string): string {
  return reason.replace(/\d+(\.\d+)*/g, 'N').slice(0, 60);
}
