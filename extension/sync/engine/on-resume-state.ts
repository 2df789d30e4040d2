import type { ResumeMessage, ResumeState } from '@codesight/schema';
import type { SessionSync } from './session-sync';

/** `resume` carries at most this many session ids (schema bound); more sessions take several messages. */
export const RESUME_CHUNK = 1000;

/**
 * The `resume` messages asking the server what it holds of every session with work left (not
 * quarantined, not closed), before anything is sent on a fresh connection. None when nothing waits.
 */
export function resumeRequests(sessions: Iterable<SessionSync>): ResumeMessage[] {
  const ids = [...sessions].filter((s) => !s.quarantine && !s.closedOnServer).map((s) => s.id);
  const requests: ResumeMessage[] = [];
  for (let i = 0; i < ids.length; i += RESUME_CHUNK) {
    requests.push({ type: 'resume', sessionIds: ids.slice(i, i + RESUME_CHUNK) });
  }
  return requests;
}

/** What the server says it holds of one session. */
export type ResumeEntry = ResumeState['sessions'][number];

/**
 * What one `resume_state` entry means for the session's watermark. `complete`: the server already
 * closed the session and we hold nothing it lacks, so it is settled without resending or closing again.
 */
export type ResumeVerdict =
  /**
   * The server has nothing (lost data, or another server): the local watermark says what it once held,
   * not what it holds. Resending from 1 is the only way nothing is lost.
   */
  | { kind: 'resend_all'; complete: boolean }
  /** The server holds more than we knew (its acks were lost with a stopped worker): skip what it holds. */
  | { kind: 'raise'; ackedThrough: number; complete: boolean }
  /** The server holds what we knew or less (a lower figure is stale): the local watermark stands. */
  | { kind: 'keep'; complete: boolean };

/** Judges one `resume_state` entry against the engine's view of the session. */
export function onResumeEntry(s: SessionSync, entry: ResumeEntry): ResumeVerdict {
  const acked = entry.known ? Math.max(s.acked, entry.ackedThrough) : 0;
  const complete = entry.status === 'complete' && s.ended && acked >= s.eventCount;
  if (!entry.known) return { kind: 'resend_all', complete };
  if (entry.ackedThrough > s.acked) return { kind: 'raise', ackedThrough: entry.ackedThrough, complete };
  return { kind: 'keep', complete };
}
