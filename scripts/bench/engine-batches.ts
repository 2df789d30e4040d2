import { SYNC_PROTOCOL_VERSION, type BatchMessage, type RecordedEvent, type SessionMeta } from '@codesight/schema';
import { DEFAULT_BATCH_LIMITS, nextBatch, type BatchLimits } from '../../extension/sync/index';

/**
 * Cuts one session's recorded events into the batch messages the engine would send for them: the
 * engine's own `nextBatch` under `limits`, each message carrying the session meta as the engine's do.
 * Used where the bench needs the exact frames without a server (compression, stage costs).
 */
export function engineBatches(
  sessionId: string,
  meta: SessionMeta,
  events: readonly RecordedEvent[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): BatchMessage[] {
  const out: BatchMessage[] = [];
  let from = 1;
  let index = 0;
  while (index < events.length) {
    const slice = nextBatch(events.slice(index, index + limits.maxEvents), from, limits);
    if (slice.kind !== 'batch') throw new Error(`engineBatches: events of ${sessionId} are not 1..n without gaps`);
    out.push({
      type: 'batch',
      v: SYNC_PROTOCOL_VERSION,
      batchId: `bench-${out.length + 1}`,
      sessionId,
      session: meta,
      firstSequence: from,
      lastSequence: from + slice.events.length - 1,
      events: slice.events,
    });
    from += slice.events.length;
    index += slice.events.length;
  }
  return out;
}

/** `events` as recorded rows of `sessionId`: sequences 1..n, as the store assigns them. */
export function asRecorded<E extends object>(sessionId: string, events: readonly E[]): RecordedEvent[] {
  return events.map((event, i) => ({ ...event, sessionId, sequence: i + 1 }) as unknown as RecordedEvent);
}
