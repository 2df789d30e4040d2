import type { SessionClosed } from '@codesight/schema';
import { MAX_INCOMPLETE_CLOSES } from './engine-types';
import type { SessionSync } from './session-sync';

/** What a `session_closed` answer means. */
export type CloseVerdict =
  /** The server holds the whole session: it is done here too. */
  | { kind: 'complete' }
  /**
   * `incomplete`, but not the answer to a close in flight (a repeat, or a session no longer the
   * engine's): acting on it would rewind a resend already under way.
   */
  | { kind: 'stale' }
  /** The server lost events it once acked: resend everything after what it really holds. */
  | { kind: 'resend'; ackedThrough: number; message: string }
  /** The server keeps answering `incomplete`: stop re-uploading forever, keep the events, show why. */
  | { kind: 'quarantine'; first: number; last: number; reason: string };

/**
 * Judges a `session_closed` answer. `s.incompleteCloses` counts the earlier `incomplete` answers; once
 * this one would make more than `maxIncompleteCloses`, the session is quarantined.
 */
export function onSessionClosed(
  s: SessionSync | undefined,
  closed: SessionClosed,
  maxIncompleteCloses = MAX_INCOMPLETE_CLOSES,
): CloseVerdict {
  if (closed.status === 'complete') return { kind: 'complete' };
  if (!s || !s.closeInFlight) return { kind: 'stale' };
  if (s.incompleteCloses + 1 > maxIncompleteCloses) {
    return {
      kind: 'quarantine',
      first: closed.ackedThrough + 1,
      last: s.eventCount,
      reason: `the server still misses ${closed.missing} events after ${maxIncompleteCloses} resends`,
    };
  }
  return {
    kind: 'resend',
    ackedThrough: Math.min(s.acked, closed.ackedThrough),
    message: `server holds ${closed.ackedThrough} of ${s.eventCount} events (${closed.missing} missing); resending`,
  };
}
