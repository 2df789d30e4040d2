import type { Link } from './connection';
import type { SeqRange, SessionSync } from './session-sync';

/** A batch sent on the current connection and not answered yet. */
export interface InFlightBatch extends SeqRange {
  sessionId: string;
}

/**
 * Requests awaiting an answer on `link`: batches, `session_close`s, and a connect or resume in
 * progress (counted as one). The watchdog declares the connection dead when these wait too long.
 */
export function outstandingRequests(
  link: Pick<Link, 'phase' | 'pendingResumes'> | undefined,
  sessions: Iterable<SessionSync>,
  inFlightBatches: number,
): number {
  if (!link) return 0;
  let closes = 0;
  for (const s of sessions) if (s.closeInFlight) closes += 1;
  const waiting = link.phase === 'connecting' || link.pendingResumes > 0 ? 1 : 0;
  return inFlightBatches + closes + waiting;
}

/**
 * Sessions the engine can let go of after re-reading the store: no longer pending there, and with
 * no batch or close awaiting an answer (that answer still has to find them).
 */
export function sessionsToForget(
  sessions: Iterable<SessionSync>,
  pendingIds: ReadonlySet<string>,
  inFlight: Iterable<InFlightBatch>,
): string[] {
  const busy = new Set([...inFlight].map((b) => b.sessionId));
  const out: string[] = [];
  for (const s of sessions) if (!pendingIds.has(s.id) && !busy.has(s.id) && !s.closeInFlight) out.push(s.id);
  return out;
}
