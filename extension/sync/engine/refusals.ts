import { PERMANENT_ERROR_CODES, type ErrorCode, type ErrorMessage } from '@codesight/schema';

/** What the engine does with a refused batch. */
export type RefusalAction =
  /** Transient: resend the same batch after a backoff. */
  | 'retry'
  /** Permanent, possibly because of one event or the size: resend as two halves. */
  | 'bisect'
  /** Permanent and irreducible: keep the events, stop sending the session, show the reason. */
  | 'quarantine';

/**
 * Permanent codes that can hinge on a single event or on the batch size, so splitting the batch either
 * gets everything through (`payload_too_large`) or isolates the one bad event. The other permanent
 * codes (`forbidden`, `sequence_mismatch`) concern the whole session: splitting cannot help.
 */
export const BISECTABLE_CODES: readonly ErrorCode[] = [
  'payload_too_large',
  'validation_failed',
  'unknown_type',
  'invalid_json',
  'bad_request',
];

/**
 * Whether retrying the same message can never succeed. The server's explicit `retryable` flag wins;
 * without one, the shared {@link PERMANENT_ERROR_CODES} list decides.
 */
export function isPermanentError(error: Pick<ErrorMessage, 'code' | 'retryable'>): boolean {
  if (error.retryable !== undefined) return !error.retryable;
  return PERMANENT_ERROR_CODES.includes(error.code);
}

/** Decides the fate of a batch of `size` events refused with `error`. */
export function classifyRefusal(error: Pick<ErrorMessage, 'code' | 'retryable'>, size: number): RefusalAction {
  if (!isPermanentError(error)) return 'retry';
  return size > 1 && BISECTABLE_CODES.includes(error.code) ? 'bisect' : 'quarantine';
}
