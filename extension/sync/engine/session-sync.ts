import type { MaskCountsByLocation, SessionMeta } from '@codesight/schema';
import type { PendingSession, QuarantinedBatch } from '../store/store';

/** An inclusive range of sequences. */
export interface SeqRange {
  first: number;
  last: number;
}

/** The engine's in-memory view of one session's upload. */
export interface SessionSync {
  readonly id: string;
  eventCount: number;
  ended: boolean;
  endTime?: number;
  closedOnServer: boolean;
  meta: SessionMeta;
  /** What was masked outside values, sent with `session_close` for the privacy report. */
  maskCounts?: MaskCountsByLocation;
  /**
   * Highest N the server is known to hold 1..N of. Only raised (acks may arrive in any order), except
   * by an explicit server statement that it holds less (`session_closed` incomplete, `known: false`).
   */
  acked: number;
  /** Ranges above `acked` the server confirmed holding (batches acked past a gap): not sent again. */
  held: SeqRange[];
  /**
   * Set after a permanent refusal of a multi-event batch: batches starting at or before `until` carry at
   * most `maxEvents`, halving on each further refusal, so the refused event is isolated; nothing past
   * `until` is sent meanwhile, as it could not be acked past the suspect range anyway.
   */
  narrow?: { until: number; maxEvents: number };
  quarantine?: QuarantinedBatch;
  closeInFlight: boolean;
  /** `incomplete` answers to `session_close` in this engine's life, to stop a server that never completes. */
  incompleteCloses: number;
}

/** A fresh view of a stored pending session. */
export function createSessionSync(p: PendingSession, quarantine?: QuarantinedBatch): SessionSync {
  return {
    id: p.sessionId,
    eventCount: p.eventCount,
    ended: p.ended,
    endTime: p.endTime,
    closedOnServer: p.closedOnServer,
    meta: p.meta,
    maskCounts: p.maskCounts,
    acked: p.ackedThrough,
    held: [],
    quarantine,
    closeInFlight: false,
    incompleteCloses: 0,
  };
}

/**
 * Takes the recorder's side of a re-read (new events, end of recording). `acked` stays the engine's:
 * it is what the store holds or better, and may deliberately sit lower after an `incomplete` answer.
 */
export function updateFromStore(s: SessionSync, p: PendingSession): void {
  s.eventCount = Math.max(s.eventCount, p.eventCount);
  s.ended = p.ended;
  s.endTime = p.endTime;
  s.closedOnServer = s.closedOnServer || p.closedOnServer;
  s.meta = p.meta;
  s.maskCounts = p.maskCounts;
}

/** Raises the watermark to `ackedThrough` if higher; returns whether it moved. */
export function raiseAcked(s: SessionSync, ackedThrough: number): boolean {
  if (ackedThrough <= s.acked) return false;
  s.acked = ackedThrough;
  s.held = s.held.filter((r) => r.last > s.acked);
  if (s.narrow && s.acked >= s.narrow.until) s.narrow = undefined;
  return true;
}

/** The server has lost what it held past `ackedThrough` (or never had it): resend from there. */
export function resetAcked(s: SessionSync, ackedThrough: number): void {
  s.acked = ackedThrough;
  s.held = [];
  s.narrow = undefined;
}

/** Remembers a batch the server stored although its watermark stayed below it. */
export function recordHeld(s: SessionSync, range: SeqRange): void {
  if (range.last > s.acked) s.held.push({ first: range.first, last: range.last });
}

/** Next range to read and send, with the most events it may carry. */
export interface SendRange extends SeqRange {
  limit: number;
}

/**
 * The first run of sequences after the watermark that is neither held by the server nor already in
 * flight, capped at `eventCount`; undefined when there is nothing to send (or the session is stopped).
 * Deriving it from what is covered, rather than keeping a cursor, means a refused or lost batch is
 * simply uncovered again and gets resent, and nothing is ever sent twice on one connection.
 */
export function nextSendRange(s: SessionSync, inFlight: readonly SeqRange[], maxEvents: number): SendRange | undefined {
  if (s.quarantine || s.closedOnServer) return undefined;
  const covered = [...s.held, ...inFlight].sort((a, b) => a.first - b.first);
  let first = s.acked + 1;
  let last = s.eventCount;
  for (const r of covered) {
    if (r.last < first) continue;
    if (r.first <= first) {
      first = r.last + 1;
      continue;
    }
    last = Math.min(last, r.first - 1);
    break;
  }
  if (first > last) return undefined;
  let limit = maxEvents;
  if (s.narrow) {
    if (first > s.narrow.until) return undefined;
    limit = Math.min(limit, s.narrow.maxEvents);
  }
  return { first, last, limit };
}

/** Everything is acked and recording has ended: time for `session_close`. */
export function readyToClose(s: SessionSync): boolean {
  return (
    s.ended && !s.closedOnServer && !s.quarantine && !s.closeInFlight && s.eventCount > 0 && s.acked >= s.eventCount
  );
}

/** Ended without a single event: nothing is on the server either, so it is settled locally, not closed there. */
export function settlesLocally(s: SessionSync): boolean {
  return s.ended && s.eventCount === 0 && !s.closedOnServer;
}

/**
 * A permanent refusal of `batch` that splitting may solve: from now on batches up to its end carry at
 * most half as many events (never more than an earlier narrowing allowed).
 */
export function narrowAfterRefusal(s: SessionSync, batch: SeqRange): void {
  const half = Math.ceil((batch.last - batch.first + 1) / 2);
  s.narrow = {
    until: Math.max(batch.last, s.narrow?.until ?? 0),
    maxEvents: Math.min(half, s.narrow?.maxEvents ?? half),
  };
}
