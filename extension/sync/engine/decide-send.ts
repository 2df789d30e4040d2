import {
  SYNC_PROTOCOL_VERSION,
  type BatchMessage,
  type RecordedEvent,
  type SessionCloseMessage,
} from '@codesight/schema';
import type { InFlightBatch } from './in-flight';
import { nextSendRange, readyToClose, type SendRange, type SessionSync } from './session-sync';

/** Sessions due a `session_close`: recording ended, the server holds every event, no close in flight. */
export function sessionsToClose(sessions: Iterable<SessionSync>): SessionSync[] {
  return [...sessions].filter(readyToClose);
}

/** The `session_close` of `s`: complete on the server once it holds 1..eventCount. */
export function closeMessage(s: SessionSync): SessionCloseMessage {
  const close: SessionCloseMessage = {
    type: 'session_close',
    sessionId: s.id,
    endTime: s.endTime ?? 0,
    finalCount: s.eventCount,
  };
  return s.maskCounts && Object.keys(s.maskCounts).length > 0 ? { ...close, maskCounts: s.maskCounts } : close;
}

/** What {@link decideNextSend} looks at. */
export interface SendState {
  /** In the engine's order (first seen first); the round-robin walks it. */
  sessions: readonly SessionSync[];
  inFlight: readonly InFlightBatch[];
  /** Where the round-robin resumes: one past the session served last (taken modulo the session count). */
  cursor: number;
  /** Batches allowed in flight at once, over all sessions. */
  window: number;
  maxEvents: number;
}

/** The next batch to read and send, or why there is none. */
export type NextSend =
  | { kind: 'send'; session: SessionSync; range: SendRange; cursor: number }
  | { kind: 'wait'; reason: 'window_full' | 'nothing_to_send' };

/**
 * Picks the next batch: the first session after the cursor (round-robin, so one long session does not
 * starve the others) with something neither acked, held nor in flight, as long as the window has room.
 */
export function decideNextSend({ sessions, inFlight, cursor, window, maxEvents }: SendState): NextSend {
  if (inFlight.length >= window) return { kind: 'wait', reason: 'window_full' };
  for (let i = 0; i < sessions.length; i++) {
    const index = (cursor + i) % sessions.length;
    const session = sessions[index]!;
    const range = nextSendRange(
      session,
      inFlight.filter((b) => b.sessionId === session.id),
      maxEvents,
    );
    if (range) return { kind: 'send', session, range, cursor: index + 1 };
  }
  return { kind: 'wait', reason: 'nothing_to_send' };
}

/** The `batch` message carrying `events`, the contiguous run of session `s` starting at sequence `first`. */
export function batchMessage(batchId: string, s: SessionSync, first: number, events: RecordedEvent[]): BatchMessage {
  return {
    type: 'batch',
    v: SYNC_PROTOCOL_VERSION,
    batchId,
    sessionId: s.id,
    session: s.meta,
    firstSequence: first,
    lastSequence: first + events.length - 1,
    events,
  };
}

/**
 * The running average event size after a batch of `events` events and `bytes` bytes, for the status's
 * `pendingBytes`. Weighted towards recent batches: event sizes drift with the pages being recorded.
 */
export function averageEventBytes(average: number, batch: { events: number; bytes: number }): number {
  return 0.8 * average + 0.2 * (batch.bytes / batch.events);
}
