import type { CaptureEnvelope, CaptureEventsReply, Clock, TimerHandle } from '@codesight/schema';

/** How the outbox reaches the background and its fallback store; injected so tests need no chrome.* API. */
export interface OutboxDeps {
  /** Delivers envelopes to the background; resolves with its reply, rejects when it is unreachable. */
  send(envelopes: CaptureEnvelope[]): Promise<CaptureEventsReply>;
  /** Hands envelopes to storage that outlives the page (chrome.storage.session), for the background to drain. */
  park(envelopes: CaptureEnvelope[]): Promise<void>;
  /** Schedules retries. */
  clock: Clock;
  onError?(message: string): void;
}

/** At most this many envelopes per message: keeps one runtime message well under a megabyte. */
const MAX_ENVELOPES_PER_SEND = 200;
/**
 * A runtime message costs the page's main thread about a millisecond however little it carries (see
 * docs/performance.md), more than describing the click itself. Events that come within this long after a
 * delivery wait for the window's end and share one message; the first event after a quiet window still
 * leaves in its own task. What waits when the page goes away is parked (see `park`).
 */
export const BATCH_WINDOW_MS = 1_000;
/** Retry delays after a failed delivery: quick first (a service worker waking takes ~100 ms), then capped. */
const RETRY_DELAYS_MS = [100, 250, 500, 1000, 2000, 5000] as const;

export interface Outbox {
  /**
   * Queues an envelope. Delivered in the same task when nothing was sent within {@link BATCH_WINDOW_MS}
   * (a lone click is on its way before a navigation), else with the others at the end of the window.
   */
  push(envelope: CaptureEnvelope): void;
  /** Sends everything pending now. */
  flush(): Promise<void>;
  /** Page is going away: park what is unconfirmed where the background will find it, and send once more. */
  park(): Promise<void>;
  /** Envelopes not yet confirmed durable. */
  pending(): number;
}

/**
 * Keeps every captured event until the background confirms its durable write. Delivery is at least
 * once; the background deduplicates by clientId, so a resend after a lost reply is harmless.
 */
export function createOutbox(deps: OutboxDeps): Outbox {
  const unconfirmed = new Map<string, CaptureEnvelope>();
  const inFlight = new Set<string>();
  let scheduled = false;
  let lastSendAt = Number.NEGATIVE_INFINITY;
  let retryHandle: TimerHandle = null;
  let failures = 0;

  const scheduleRetry = () => {
    if (retryHandle !== null) return;
    const delay = RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length) - 1] ?? RETRY_DELAYS_MS[0];
    retryHandle = deps.clock.setTimeout(() => {
      retryHandle = null;
      void flush();
    }, delay);
  };

  async function sendSome(batch: CaptureEnvelope[]): Promise<void> {
    for (const e of batch) {
      inFlight.add(e.clientId);
      // Any later delivery may find this one already stored: say so (the background looks those up).
      if (!e.repeat) unconfirmed.set(e.clientId, { ...e, repeat: true });
    }
    try {
      const reply = await deps.send(batch);
      if (reply.ok) for (const id of reply.value.stored) unconfirmed.delete(id);
      // Refusals are final whether or not the write went through: resending them cannot succeed.
      for (const { clientId, reason } of reply.ok ? reply.value.refused : reply.error.refused) {
        unconfirmed.delete(clientId);
        deps.onError?.(`event dropped by the recorder: ${reason}`);
      }
      if (!reply.ok) throw new Error(reply.error.message);
      failures = 0;
    } catch (err) {
      failures++;
      deps.onError?.(err instanceof Error ? err.message : String(err));
      scheduleRetry();
    } finally {
      for (const e of batch) inFlight.delete(e.clientId);
    }
  }

  async function flush(): Promise<void> {
    scheduled = false;
    const ready = [...unconfirmed.values()].filter((e) => !inFlight.has(e.clientId));
    if (ready.length > 0) lastSendAt = deps.clock.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < ready.length; i += MAX_ENVELOPES_PER_SEND)
      sends.push(sendSome(ready.slice(i, i + MAX_ENVELOPES_PER_SEND)));
    await Promise.all(sends);
  }

  return {
    push(envelope) {
      unconfirmed.set(envelope.clientId, envelope);
      if (scheduled) return;
      scheduled = true;
      const wait = lastSendAt + BATCH_WINDOW_MS - deps.clock.now();
      if (wait > 0) deps.clock.setTimeout(() => void flush(), wait);
      else queueMicrotask(() => void flush());
    },
    flush,
    async park() {
      const all = [...unconfirmed.values()];
      if (all.length === 0) return;
      // Only the park write is awaited: a send may hang while the service worker restarts.
      void flush();
      await deps.park(all);
    },
    pending: () => unconfirmed.size,
  };
}
