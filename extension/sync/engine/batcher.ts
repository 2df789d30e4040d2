import { LIMITS, type RecordedEvent } from '@codesight/schema';

/** Upper bounds of one batch. */
export interface BatchLimits {
  maxEvents: number;
  /** Uncompressed JSON size estimate of the events. */
  maxBytes: number;
}

/**
 * Chosen by `scripts/bench/sync` (batch-size sweep on a realistic session, ~770 B of JSON per event):
 * the 256 KiB cap cuts real batches at ~340 events, ~21 KiB gzipped (12.4x). Throughput is flat from
 * 250 to 500 events and falls beyond 1000 (one transaction holds its locks longer); gzip gains little
 * past 500 (12.6x at 500, 13.0x at 1000). Small enough that a lost batch costs little to resend.
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
