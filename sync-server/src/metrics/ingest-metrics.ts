import type { Clock } from '@codesight/schema';

/** Seconds of stored-event history kept: the console's "last minute" chart. */
export const STORED_WINDOW_S = 60;

/** What one instance counted since it started; the console says it is per instance. */
export interface IngestMetricsSnapshot {
  /** Events stored in each of the last {@link STORED_WINDOW_S} seconds, oldest first (the current second last). */
  storedPerSecond: number[];
  /** Events stored since the instance started. */
  storedTotal: number;
  /** Ingest refusals and errors since the instance started, by error code. */
  refusals: Record<string, number>;
  /** Epoch ms the counting started. */
  since: number;
}

/**
 * In-memory ingest counters of this process: events stored per second and refusals by code. Not in the
 * database on purpose: counting must cost nothing on the ingest path, and losing them on a restart is fine.
 */
export interface IngestMetrics {
  recordStored(count: number): void;
  recordRefusal(code: string): void;
  /**
   * Counts a protocol reply: `batch_ack.inserted`, an interaction `ack`'s `stored`, an `error`'s code
   * (and, for the observer only, a `screenshot_data` ack's new screenshot).
   */
  recordReply(reply: { type: string } & Record<string, unknown>): void;
  snapshot(): IngestMetricsSnapshot;
}

/** Told of what the counters record, as they record it (the Prometheus counters: server-metrics.ts). */
export interface IngestObserver {
  stored(count: number): void;
  refused(code: string): void;
  /** Screenshots sent inline by the legacy protocol (`screenshot_data`) and recorded as new. */
  inlineScreenshotsStored(count: number): void;
}

/** Distinct refusal codes kept; codes are a fixed list, so this only guards against a future bug. */
const MAX_CODES = 64;

/** Creates empty counters timed by `clock`; `observer` is told of everything they record. */
export function createIngestMetrics(clock: Pick<Clock, 'now'>, observer?: IngestObserver): IngestMetrics {
  const since = clock.now();
  // Ring of per-second buckets, each tagged with the second it counts, so stale buckets read as zero.
  const buckets = new Array<number>(STORED_WINDOW_S).fill(0);
  const bucketSecond = new Array<number>(STORED_WINDOW_S).fill(-1);
  const refusals = new Map<string, number>();
  let storedTotal = 0;

  const recordStored = (count: number) => {
    if (!Number.isFinite(count) || count <= 0) return;
    const second = Math.floor(clock.now() / 1000);
    const slot = second % STORED_WINDOW_S;
    if (bucketSecond[slot] !== second) {
      bucketSecond[slot] = second;
      buckets[slot] = 0;
    }
    buckets[slot] = (buckets[slot] ?? 0) + count;
    storedTotal += count;
    observer?.stored(count);
  };
  const recordRefusal = (code: string) => {
    if (!refusals.has(code) && refusals.size >= MAX_CODES) return;
    refusals.set(code, (refusals.get(code) ?? 0) + 1);
    observer?.refused(code);
  };

  return {
    recordStored,
    recordRefusal,
    recordReply(reply) {
      if (reply.type === 'error' && typeof reply.code === 'string') recordRefusal(reply.code);
      else if (reply.type === 'batch_ack' && typeof reply.inserted === 'number') recordStored(reply.inserted);
      else if (reply.type === 'ack' && reply.for === 'interaction_data' && typeof reply.stored === 'number')
        recordStored(reply.stored);
      else if (reply.type === 'ack' && reply.for === 'screenshot_data' && typeof reply.stored === 'number')
        if (reply.stored > 0) observer?.inlineScreenshotsStored(reply.stored);
    },
    snapshot() {
      const now = Math.floor(clock.now() / 1000);
      const storedPerSecond: number[] = [];
      for (let second = now - STORED_WINDOW_S + 1; second <= now; second++) {
        const slot = second % STORED_WINDOW_S;
        storedPerSecond.push(bucketSecond[slot] === second ? (buckets[slot] ?? 0) : 0);
      }
      return { storedPerSecond, storedTotal, refusals: Object.fromEntries(refusals), since };
    },
  };
}
