import { LIMITS, type RecordedEvent } from '@codesight/schema';

/** Upper bounds of one batch. */
export interface BatchLimits {
  maxEvents: number;
  /** Uncompressed JSON size estimate of the events. */
  maxBytes: number;
}

/**
 * Provisional defaults; the bench (scripts/bench, later) decides the final numbers.
 * 500 events: one server transaction of ~500 rows measured ~40k rows/s with batched inserts, so a batch
 * is stored in ~12 ms and an ack comes back quickly. 256 KiB uncompressed is ~25 KiB gzipped (~10x on
 * recorded UI events): small enough that a lost batch costs little to resend on a slow link.
 */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxEvents: 500, maxBytes: 256 * 1024 };

/** Outcome of {@link nextBatch}. */
export type BatchSlice =
  | { kind: 'batch'; events: RecordedEvent[]; bytes: number }
  /** Nothing stored at or after the requested sequence yet. */
  | { kind: 'empty' }
  /** The store lacks `missing` although later events exist: sequences must have no gaps. */
  | { kind: 'gap'; missing: number };

/** Size of an event on the wire before compression; UTF-16 length is close enough for mostly-ASCII JSON. */
export function estimateEventBytes(event: RecordedEvent): number {
  return JSON.stringify(event).length;
}

/**
 * Takes the longest contiguous run of `events` starting exactly at `fromSequence` that fits `limits`.
 * The first event is always taken even if it alone exceeds `maxBytes`: refusing it would stall the
 * session forever, while sending it lets the server answer `payload_too_large` and the engine
 * quarantine exactly that event. A run stops early at a gap; the next call then reports the gap.
 */
export function nextBatch(
  events: readonly RecordedEvent[],
  fromSequence: number,
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): BatchSlice {
  const first = events[0];
  if (!first) return { kind: 'empty' };
  if (first.sequence !== fromSequence) return { kind: 'gap', missing: fromSequence };
  const maxEvents = Math.max(1, Math.min(limits.maxEvents, LIMITS.eventsPerBatch));
  const taken: RecordedEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    if (taken.length >= maxEvents) break;
    if (event.sequence !== fromSequence + taken.length) break;
    const size = estimateEventBytes(event);
    if (taken.length > 0 && bytes + size > limits.maxBytes) break;
    taken.push(event);
    bytes += size;
  }
  return { kind: 'batch', events: taken, bytes };
}
