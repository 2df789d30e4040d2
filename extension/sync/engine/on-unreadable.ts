import type { PendingSession } from '../store/store';

/** What it means that the store has no event `sequence` of a session although it claims more. */
export type UnreadableVerdict =
  /** The worker deleted the session: it reads as empty, which is their choice, not a gap to report. */
  | { kind: 'deleted' }
  /** The session is still stored but lacks the event: nothing after it can ever be acknowledged. */
  | { kind: 'gap'; sequence: number; reason: string };

/** Judges an unreadable event of `sessionId` against the store's current list of pending sessions. */
export function onUnreadableEvent(
  pending: readonly PendingSession[],
  sessionId: string,
  sequence: number,
): UnreadableVerdict {
  if (!pending.some((p) => p.sessionId === sessionId)) return { kind: 'deleted' };
  return {
    kind: 'gap',
    sequence,
    reason: `event ${sequence} is missing from local storage; later events cannot be acknowledged`,
  };
}
