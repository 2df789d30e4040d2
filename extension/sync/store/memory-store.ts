import type { CapturedEvent, RecordedEvent, SessionMeta } from '@codesight/schema';
import type { PendingSession, QuarantinedBatch, SyncMeta, SyncStore } from './store';

interface MemorySession {
  meta: SessionMeta;
  /** Indexed by sequence - 1; a hole is a lost row. */
  events: (RecordedEvent | undefined)[];
  eventCount: number;
  ackedThrough: number;
  ended: boolean;
  endTime?: number;
  closedOnServer: boolean;
}

const copy = <T>(value: T): T => structuredClone(value);

/** Stored rows are frozen rather than copied on every read: same protection, far cheaper for big reads. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * {@link SyncStore} in memory, for tests. Also plays the recorder's part (`createSession`,
 * `appendEvents`, `endSession`), assigning sequences 1..N at write time like the real database does.
 * Metadata is copied in and out and events are frozen, so nobody can mutate stored rows by accident.
 */
export class MemorySyncStore implements SyncStore {
  private readonly sessions = new Map<string, MemorySession>();
  private readonly quarantine = new Map<string, QuarantinedBatch>();
  private meta: SyncMeta = {};
  /** Calls of {@link setAckedThrough} that tried to lower the value (they are ignored). */
  loweringAttempts = 0;

  createSession(sessionId: string, meta: SessionMeta): void {
    if (this.sessions.has(sessionId)) throw new Error(`session ${sessionId} exists`);
    this.sessions.set(sessionId, {
      meta: copy(meta),
      events: [],
      eventCount: 0,
      ackedThrough: 0,
      ended: false,
      closedOnServer: false,
    });
  }

  /** Durably "writes" events, giving them the next sequences; returns the new eventCount. */
  appendEvents(sessionId: string, events: readonly CapturedEvent[]): number {
    const s = this.get(sessionId);
    if (s.ended) throw new Error(`session ${sessionId} has ended`);
    for (const event of events) {
      s.eventCount += 1;
      // A JSON round trip copies plain event data several times faster than structuredClone.
      const row = JSON.parse(JSON.stringify({ ...event, sessionId, sequence: s.eventCount })) as RecordedEvent;
      s.events.push(deepFreeze(row));
    }
    return s.eventCount;
  }

  endSession(sessionId: string, endTime: number): void {
    const s = this.get(sessionId);
    s.ended = true;
    s.endTime = endTime;
  }

  /** Simulates a lost row (a corrupted database) for tests of the engine's gap handling. */
  loseEvent(sessionId: string, sequence: number): void {
    const s = this.get(sessionId);
    s.events[sequence - 1] = undefined;
  }

  /** A snapshot of one session's sync bookkeeping. */
  inspect(sessionId: string): Omit<PendingSession, 'meta'> {
    const s = this.get(sessionId);
    return {
      sessionId,
      eventCount: s.eventCount,
      ackedThrough: s.ackedThrough,
      ended: s.ended,
      endTime: s.endTime,
      closedOnServer: s.closedOnServer,
    };
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  // The interface is asynchronous for IndexedDB's sake; memory answers at once, as resolved promises.

  listPendingSessions(): Promise<PendingSession[]> {
    const out: PendingSession[] = [];
    for (const [sessionId, s] of this.sessions) {
      if (s.ackedThrough >= s.eventCount && !(s.ended && !s.closedOnServer)) continue;
      out.push({ ...this.inspect(sessionId), meta: copy(s.meta) });
    }
    return Promise.resolve(out);
  }

  readEvents(sessionId: string, fromSequence: number, toSequence: number, limit: number): Promise<RecordedEvent[]> {
    const s = this.sessions.get(sessionId);
    const out: RecordedEvent[] = [];
    if (!s) return Promise.resolve(out);
    const last = Math.min(toSequence, s.eventCount);
    for (let q = Math.max(1, fromSequence); q <= last && out.length < limit; q++) {
      const e = s.events[q - 1];
      if (e) out.push(e);
    }
    return Promise.resolve(out);
  }

  setAckedThrough(sessionId: string, ackedThrough: number): Promise<number> {
    const s = this.sessions.get(sessionId);
    if (!s) return Promise.resolve(0);
    if (ackedThrough < s.ackedThrough) this.loweringAttempts += 1;
    s.ackedThrough = Math.max(s.ackedThrough, ackedThrough);
    return Promise.resolve(s.ackedThrough);
  }

  markClosedOnServer(sessionId: string): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (s) s.closedOnServer = true;
    return Promise.resolve();
  }

  addQuarantine(entry: QuarantinedBatch): Promise<void> {
    this.quarantine.set(entry.sessionId, copy(entry));
    return Promise.resolve();
  }

  removeQuarantine(sessionId: string): Promise<void> {
    this.quarantine.delete(sessionId);
    return Promise.resolve();
  }

  listQuarantine(): Promise<QuarantinedBatch[]> {
    return Promise.resolve([...this.quarantine.values()].map(copy));
  }

  loadSyncMeta(): Promise<SyncMeta> {
    return Promise.resolve(copy(this.meta));
  }

  saveSyncMeta(meta: SyncMeta): Promise<void> {
    this.meta = copy(meta);
    return Promise.resolve();
  }

  private get(sessionId: string): MemorySession {
    const s = this.sessions.get(sessionId);
    if (!s) throw new Error(`no session ${sessionId}`);
    return s;
  }
}
