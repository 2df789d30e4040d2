import type { BatchAck } from '@codesight/schema';
import type { InFlightBatch } from './in-flight';
import type { SeqRange, SessionSync } from './session-sync';

/** What a `batch_ack` means for the session it names. Any ack is progress for the connection either way. */
export type AckVerdict =
  /** The session is no longer the engine's (finished or deleted meanwhile): nothing to record. */
  | { kind: 'no_session' }
  | {
      kind: 'applied';
      /**
       * The batch is stored although the watermark stays below its end (an earlier batch is missing):
       * remember it, so it is not sent again while the gap is filled.
       */
      held: SeqRange | undefined;
      /** The new watermark, when the ack raises it; acks arrive in any order, so a lower one is ignored. */
      raiseTo: number | undefined;
    };

/**
 * Judges a `batch_ack`. `batch` is what the engine sent under the ack's id, if it is still in flight
 * (a late duplicate of an answer finds nothing).
 */
export function onBatchAck(s: SessionSync | undefined, batch: InFlightBatch | undefined, ack: BatchAck): AckVerdict {
  if (!s) return { kind: 'no_session' };
  const storedPastWatermark =
    batch !== undefined && batch.sessionId === s.id && ack.ackedThrough < batch.last && batch.last > s.acked;
  return {
    kind: 'applied',
    held: storedPastWatermark ? { first: batch.first, last: batch.last } : undefined,
    raiseTo: ack.ackedThrough > s.acked ? ack.ackedThrough : undefined,
  };
}
