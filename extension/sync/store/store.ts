import type { MaskCountsByLocation, QuarantinedBatch, RecordedEvent, SessionMeta, SyncMeta } from '@codesight/schema';

export type { QuarantineCode, QuarantinedBatch, SyncError, SyncMeta } from '@codesight/schema';

/** One session the engine still has work for, as the store knows it. */
export interface PendingSession {
  sessionId: string;
  /** Highest durably written sequence (sequences are 1..eventCount without gaps). */
  eventCount: number;
  /** Highest sequence N such that the server confirmed holding 1..N. */
  ackedThrough: number;
  /** The worker stopped recording: once everything is acked the engine sends `session_close`. */
  ended: boolean;
  /** Epoch ms, set when ended. */
  endTime?: number;
  /** The server answered `session_closed` with status `complete`. */
  closedOnServer: boolean;
  /** Sent with every batch so the server can create the session on first contact. */
  meta: SessionMeta;
  /** What was masked outside values, by rule and location (`Session.maskCountsByLocation`); sent on close. */
  maskCounts?: MaskCountsByLocation;
}

/**
 * What the sync engine needs from local storage. Deliberately small and async: the memory store is used
 * by tests, a Dexie store in the extension. Events are written by the recorder, never by the engine.
 */
export interface SyncStore {
  /** Sessions with `ackedThrough < eventCount`, or `ended && !closedOnServer`. */
  listPendingSessions(): Promise<PendingSession[]>;
  /** Events of one session with `fromSequence <= sequence <= toSequence`, ascending, at most `limit`. */
  readEvents(sessionId: string, fromSequence: number, toSequence: number, limit: number): Promise<RecordedEvent[]>;
  /** Raises the session's ackedThrough to `ackedThrough` if higher (never lowers it); resolves to the stored value. */
  setAckedThrough(sessionId: string, ackedThrough: number): Promise<number>;
  /** The server confirmed the session complete: it stops being pending. */
  markClosedOnServer(sessionId: string): Promise<void>;
  /** Records a quarantine; a session holds at most one (it stops at the first), so this replaces any earlier. */
  addQuarantine(entry: QuarantinedBatch): Promise<void>;
  /** The worker asked to try again: forget the session's quarantine. */
  removeQuarantine(sessionId: string): Promise<void>;
  listQuarantine(): Promise<QuarantinedBatch[]>;
  loadSyncMeta(): Promise<SyncMeta>;
  saveSyncMeta(meta: SyncMeta): Promise<void>;
}
