import type { ErrorMessage } from '@codesight/schema';
import type { InFlightBatch } from './in-flight';
import { classifyRefusal } from './refusals';
import type { SeqRange, SessionSync } from './session-sync';

/** What an `error` from the server means. Every kind but `stale` and `drop` settles the batch it names. */
export type ErrorVerdict =
  /** About a batch no longer in flight: a stale or repeated answer. */
  | { kind: 'stale' }
  /** About no batch (resume, session_close, the connection itself): start over on a fresh connection. */
  | { kind: 'drop' }
  /** The batch's session is gone or already quarantined: only forget the batch. */
  | { kind: 'forget'; batchId: string }
  /**
   * Transient: the batch is uncovered again and goes out after a pause. The pause covers every
   * session, since a busy or rate-limiting server is busy for all of them.
   */
  | { kind: 'retry'; batchId: string }
  /** Permanent, maybe because of one event or the size: send at most half as many events up to its end. */
  | { kind: 'bisect'; batchId: string; range: SeqRange }
  /** Permanent and irreducible: keep the events, stop sending the session, show the reason. */
  | { kind: 'quarantine'; batchId: string; range: SeqRange };

/**
 * Judges an `error` message. `batch` is the batch in flight under `error.batchId`, if any; `s` its
 * session, if the engine still has it.
 */
export function onServerError(
  error: ErrorMessage,
  batch: InFlightBatch | undefined,
  s: SessionSync | undefined,
): ErrorVerdict {
  if (error.batchId === undefined) return { kind: 'drop' };
  if (!batch) return { kind: 'stale' };
  const batchId = error.batchId;
  if (!s || s.quarantine) return { kind: 'forget', batchId };
  const range = { first: batch.first, last: batch.last };
  switch (classifyRefusal(error, batch.last - batch.first + 1)) {
    case 'retry':
      return { kind: 'retry', batchId };
    case 'bisect':
      return { kind: 'bisect', batchId, range };
    case 'quarantine':
      return { kind: 'quarantine', batchId, range };
  }
}
