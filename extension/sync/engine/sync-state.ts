import type { Clock } from '@codesight/schema';
import type { PendingSession, QuarantineCode, QuarantinedBatch, SyncError, SyncMeta, SyncStore } from '../store/store';
import type { Link } from './connection';
import { outstandingRequests, sessionsToForget, type InFlightBatch } from './in-flight';
import { createSessionSync, settlesLocally, updateFromStore, type SessionSync } from './session-sync';
import { computeStatus, type SyncStatus } from './status';

/** Assumed event size for `pendingBytes` before any batch has been measured (a typical pointer event). */
const INITIAL_EVENT_BYTES = 600;

/**
 * The engine's memory of the upload and its writes through to the store: each pending session's view,
 * the quarantines, the batches in flight, the sync meta. It decides nothing (the `on-*` and `decide-*`
 * functions do) and never touches the network.
 */
export class SyncState {
  /** In the order first seen: the round-robin over sessions follows it. */
  readonly sessions = new Map<string, SessionSync>();
  readonly quarantined = new Map<string, QuarantinedBatch>();
  /** Batches awaiting an answer on the current connection, by batch id. */
  readonly inFlight = new Map<string, InFlightBatch>();
  meta: SyncMeta = {};
  avgEventBytes = INITIAL_EVENT_BYTES;

  constructor(
    private readonly store: SyncStore,
    private readonly clock: Clock,
  ) {}

  /** Loads what outlives an engine: the sync meta and the quarantines. */
  async load(): Promise<void> {
    this.meta = await this.store.loadSyncMeta();
    for (const q of await this.store.listQuarantine()) this.quarantined.set(q.sessionId, q);
  }

  /** Re-reads pending sessions (new events, newly ended or new sessions), forgets finished ones; returns the list read. */
  async refresh(): Promise<PendingSession[]> {
    const pending = await this.store.listPendingSessions();
    for (const p of pending) {
      let s = this.sessions.get(p.sessionId);
      if (s) updateFromStore(s, p);
      else this.sessions.set(p.sessionId, (s = createSessionSync(p, this.quarantined.get(p.sessionId))));
      if (settlesLocally(s)) await this.markClosed(s);
    }
    const pendingIds = new Set(pending.map((p) => p.sessionId));
    for (const id of sessionsToForget(this.sessions.values(), pendingIds, this.inFlight.values())) {
      this.sessions.delete(id);
    }
    return pending;
  }

  /** Persists the session's watermark after it rose. */
  async saveAcked(s: SessionSync): Promise<void> {
    await this.store.setAckedThrough(s.id, s.acked);
  }

  /** The server holds all of the session: it stops being pending, here and in the store. */
  async markClosed(s: SessionSync): Promise<void> {
    await this.store.markClosedOnServer(s.id);
    s.closedOnServer = true;
    s.closeInFlight = false;
    this.sessions.delete(s.id);
  }

  /** `session_closed` complete, for a session the engine may or may not still have. */
  async closeComplete(sessionId: string, ackedThrough: number): Promise<void> {
    await this.store.setAckedThrough(sessionId, ackedThrough);
    const s = this.sessions.get(sessionId);
    if (s) await this.markClosed(s);
    else await this.store.markClosedOnServer(sessionId);
  }

  /** Stops sending the session from `first` on, keeps the events, and shows why. */
  async quarantine(s: SessionSync, first: number, last: number, code: QuarantineCode, reason: string): Promise<void> {
    const entry: QuarantinedBatch = {
      sessionId: s.id,
      firstSequence: first,
      lastSequence: last,
      code,
      reason,
      at: this.clock.now(),
    };
    await this.store.addQuarantine(entry);
    this.quarantined.set(s.id, entry);
    s.quarantine = entry;
    s.narrow = undefined;
    await this.setError({ code, sessionId: s.id, message: `events ${first}–${last} quarantined: ${reason}` });
  }

  /** The worker's "try again": the session is sent again from its watermark, with a fresh count of closes. */
  async releaseQuarantine(sessionId: string): Promise<void> {
    await this.store.removeQuarantine(sessionId);
    this.quarantined.delete(sessionId);
    const s = this.sessions.get(sessionId);
    if (s) {
      s.quarantine = undefined;
      s.narrow = undefined;
      s.incompleteCloses = 0;
    }
  }

  /** A batch was acked: the moment shows as the last sync. */
  async recordSync(): Promise<void> {
    this.meta = { ...this.meta, lastSyncAt: this.clock.now() };
    await this.store.saveSyncMeta(this.meta);
  }

  async setError(error: Omit<SyncError, 'at'>): Promise<void> {
    const lastError: SyncError = { ...error, at: this.clock.now() };
    if (lastError.sessionId === undefined) delete lastError.sessionId;
    this.meta = { ...this.meta, lastError };
    await this.store.saveSyncMeta(this.meta);
  }

  /** The connection is gone: what was in flight on it is unknown, the next resume will tell. */
  forgetInFlight(): void {
    this.inFlight.clear();
    for (const s of this.sessions.values()) s.closeInFlight = false;
  }

  /** Requests awaiting an answer on `link`, for the watchdog. */
  outstanding(link: Link | undefined): number {
    return outstandingRequests(link, this.sessions.values(), this.inFlight.size);
  }

  status(link: Link | undefined): SyncStatus {
    return computeStatus({
      link,
      sessions: this.sessions.values(),
      quarantined: this.quarantined.values(),
      meta: this.meta,
      avgEventBytes: this.avgEventBytes,
    });
  }
}
