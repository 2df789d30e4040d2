import {
  SYNC_PROTOCOL_VERSION,
  type BatchAck,
  type ErrorMessage,
  type ResumeState,
  type SessionClosed,
} from '@codesight/schema';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { DEFAULT_BATCH_LIMITS, nextBatch, type BatchLimits } from './batcher';
import { systemClock, type Clock } from '@codesight/schema';
import { ConnectionManager, type Link } from './connection';
import { classifyRefusal } from './refusals';
import {
  createSessionSync,
  narrowAfterRefusal,
  nextSendRange,
  raiseAcked,
  readyToClose,
  recordHeld,
  resetAcked,
  updateFromStore,
  type SendRange,
  type SeqRange,
  type SessionSync,
} from './session-sync';
import { computeStatus, sameStatus, type SyncStatus } from './status';
import type { QuarantineCode, QuarantinedBatch, SyncError, SyncMeta, SyncStore } from '../store/store';
import {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_WINDOW,
  MAX_INCOMPLETE_CLOSES,
  type KickReason,
  type SyncEngine,
  type SyncEngineOptions,
} from './engine-types';
import { TimerSet } from './timer-set';
import type { SyncServerMessage } from '../transport/transport';

export {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_WINDOW,
  MAX_INCOMPLETE_CLOSES,
} from './engine-types';
export type { KickReason, SyncEngine, SyncEngineOptions } from './engine-types';

/*
 * The engine's state machine (one connection at a time; every reaction runs serially):
 *
 *   start() ─► CONNECTING ──open──► RESUMING ──all resume_state──► READY ◄─┐ batch_ack / error / kick:
 *                  ▲   │ closed       │ closed, 30 s silence         │     │ pump() fills the window
 *                  │   ▼              ▼                              ▼     │
 *                  └─ OFFLINE ◄───────┴── closed, 30 s silence, error without batchId
 *          backoff (full jitter, 1 s…5 min) or kick('online')
 *
 *   Transport (connection.ts): WebSocket; 3 failures within 60 s → HTTP; WebSocket probed after 30 s,
 *   60 s … ≤ 10 min; a probe that opens replaces the HTTP connection (RESUMING again).
 *
 *   Per session, in READY: send the first run of sequences above the server watermark that is neither
 *   in flight nor known held; batch_ack raises the watermark (never lowers it); retryable error →
 *   pause everything for a backoff, resend; permanent error → halve the batch until one event, then
 *   quarantine (the session stops, kept, shown; retryQuarantined() resumes it); ended and all acked →
 *   session_close → complete: closed on server | incomplete: rewind to the server's ackedThrough.
 */

/** `resume` carries at most this many session ids (schema bound); more sessions take several messages. */
const RESUME_CHUNK = 1000;
/** Assumed event size for `pendingBytes` before any batch has been measured (a typical pointer event). */
const INITIAL_EVENT_BYTES = 600;

/** Creates a {@link SyncEngine}; nothing happens until `start()`. */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  return new Engine(options);
}

interface InFlightBatch extends SeqRange {
  sessionId: string;
}

class Engine implements SyncEngine {
  private readonly store: SyncStore;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly window: number;
  private readonly limits: BatchLimits;
  private readonly backoff: BackoffOptions;
  private readonly pollIntervalMs: number;
  private readonly connections: ConnectionManager;
  private readonly timers: TimerSet<'pause' | 'poll'>;

  private readonly sessions = new Map<string, SessionSync>();
  private readonly quarantined = new Map<string, QuarantinedBatch>();
  private readonly inFlight = new Map<string, InFlightBatch>();
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  /** Consecutive retryable refusals without progress: drives the sending pause. */
  private refusalAttempt = 0;
  private pausedUntil = 0;
  private meta: SyncMeta = {};
  private avgEventBytes = INITIAL_EVENT_BYTES;
  private roundRobin = 0;
  private batchCounter = 0;
  private readonly batchPrefix: string;
  private kickQueued = false;
  private started = false;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  private lastStatus: SyncStatus;

  constructor(options: SyncEngineOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.window = Math.max(1, options.window ?? DEFAULT_WINDOW);
    this.limits = { ...DEFAULT_BATCH_LIMITS, ...options.batchLimits };
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const run = (task: () => Promise<void> | void) => this.enqueue(task);
    this.timers = new TimerSet(this.clock, run);
    this.connections = new ConnectionManager({
      ws: options.ws,
      http: options.http,
      clock: this.clock,
      random: this.random,
      backoff: this.backoff,
      policy: options.transportPolicy,
      ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
      run,
      outstanding: () => this.outstanding(),
      onOpen: (link) => this.beginResume(link),
      onMessage: (link, message) => this.onMessage(link, message),
      onLost: () => this.forgetInFlight(),
      onError: (error) => this.setError(error),
    });
    // Batch ids only correlate acks with batches; a random prefix keeps them distinct across engine lives.
    this.batchPrefix = Math.floor(this.random() * 36 ** 8)
      .toString(36)
      .padStart(8, '0');
    this.lastStatus = this.computeStatus();
  }

  // ---- public API -------------------------------------------------------------------------------

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedulePoll();
    this.enqueue(async () => {
      this.meta = await this.store.loadSyncMeta();
      for (const q of await this.store.listQuarantine()) this.quarantined.set(q.sessionId, q);
      await this.refreshSessions();
      this.connections.connect();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearAll();
    this.connections.stop();
    await this.chain;
    this.inFlight.clear();
    this.emitStatus();
  }

  kick(reason: KickReason = 'events'): void {
    // The recorder kicks on every write: one queued refresh serves any number of them.
    if (reason === 'events') {
      if (this.kickQueued) return;
      this.kickQueued = true;
    }
    this.enqueue(async () => {
      if (reason === 'events') this.kickQueued = false;
      if (!this.started) return;
      if (reason === 'online' && this.connections.online()) return;
      // Refreshed even when offline, so the status counts what is waiting.
      await this.refreshSessions();
      await this.pump();
    });
  }

  getStatus(): SyncStatus {
    return this.lastStatus;
  }

  subscribe(listener: (status: SyncStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  retryQuarantined(sessionId: string): Promise<void> {
    this.enqueue(async () => {
      await this.store.removeQuarantine(sessionId);
      this.quarantined.delete(sessionId);
      const s = this.sessions.get(sessionId);
      if (s) {
        s.quarantine = undefined;
        s.narrow = undefined;
        s.incompleteCloses = 0;
      }
      await this.refreshSessions();
      await this.pump();
    });
    return this.idle();
  }

  idle(): Promise<void> {
    return this.chain;
  }

  // ---- serialization ----------------------------------------------------------------------------

  /**
   * Every reaction (transport event, timer, kick) runs here, one at a time, so a handler never sees
   * state half-changed by another across an `await` of the store.
   */
  private enqueue(task: () => Promise<void> | void): void {
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await task();
      } catch (err) {
        await this.onInternalError(err);
      }
      this.emitStatus();
    });
  }

  /** A store operation failed: record it and start over from a fresh connection after a backoff. */
  private async onInternalError(err: unknown): Promise<void> {
    try {
      await this.setError({ code: 'store', message: err instanceof Error ? err.message : String(err) });
    } catch {
      // The store is failing; the error still shows in the status from memory.
    }
    if (this.stopped) return;
    if (this.connections.link) await this.connections.drop('internal error', 'internal');
    else this.connections.retryLater();
  }

  /** The connection is gone: what was in flight on it is unknown, the next resume will tell. */
  private forgetInFlight(): void {
    this.inFlight.clear();
    for (const s of this.sessions.values()) s.closeInFlight = false;
    this.timers.clear('pause');
    this.pausedUntil = 0;
  }

  // ---- resume -----------------------------------------------------------------------------------

  /** Asks the server what it holds for every session with pending work, before sending anything. */
  private async beginResume(link: Link): Promise<void> {
    await this.refreshSessions();
    if (this.connections.link !== link) return;
    const ids = [...this.sessions.values()].filter((s) => !s.quarantine && !s.closedOnServer).map((s) => s.id);
    if (ids.length === 0) {
      link.phase = 'ready';
      return this.pump();
    }
    for (let i = 0; i < ids.length; i += RESUME_CHUNK) {
      link.pendingResumes += 1;
      this.connections.send(link, { type: 'resume', sessionIds: ids.slice(i, i + RESUME_CHUNK) });
    }
  }

  private async onResumeState(link: Link, message: ResumeState): Promise<void> {
    // Once sending has started, a late copy would describe the past (and `known: false` would rewind).
    if (link.phase !== 'resuming') return;
    for (const entry of message.sessions) {
      const s = this.sessions.get(entry.sessionId);
      if (!s) continue;
      if (!entry.known) {
        // The server has nothing (lost data, or another server): the local watermark says what it once
        // held, not what it holds. Resending from 1 is the only way nothing is lost.
        resetAcked(s, 0);
      } else if (raiseAcked(s, entry.ackedThrough)) {
        await this.store.setAckedThrough(s.id, s.acked);
      }
      if (entry.status === 'complete' && s.ended && s.acked >= s.eventCount) await this.markClosed(s);
    }
    link.pendingResumes -= 1;
    if (link.pendingResumes <= 0) {
      link.phase = 'ready';
      // Kicks while resuming were not acted on: catch up with what the recorder wrote meanwhile.
      await this.refreshSessions();
    }
  }

  // ---- inbound ----------------------------------------------------------------------------------

  private async onMessage(link: Link, message: SyncServerMessage): Promise<void> {
    switch (message.type) {
      case 'resume_state':
        await this.onResumeState(link, message);
        break;
      case 'batch_ack':
        await this.onBatchAck(message);
        break;
      case 'session_closed':
        await this.onSessionClosed(message);
        break;
      case 'error':
        await this.onError(message);
        break;
    }
    if (this.connections.link === link && link.phase === 'ready') await this.pump();
  }

  private async onBatchAck(ack: BatchAck): Promise<void> {
    const batch = this.inFlight.get(ack.batchId);
    this.inFlight.delete(ack.batchId);
    const s = this.sessions.get(ack.sessionId);
    if (s) {
      if (batch && batch.sessionId === s.id && ack.ackedThrough < batch.last) recordHeld(s, batch);
      if (raiseAcked(s, ack.ackedThrough)) await this.store.setAckedThrough(s.id, s.acked);
    }
    this.connections.resetBackoff();
    this.refusalAttempt = 0;
    this.meta = { ...this.meta, lastSyncAt: this.clock.now() };
    await this.store.saveSyncMeta(this.meta);
  }

  private async onSessionClosed(closed: SessionClosed): Promise<void> {
    const s = this.sessions.get(closed.sessionId);
    if (closed.status === 'complete') {
      this.connections.resetBackoff();
      await this.store.setAckedThrough(closed.sessionId, closed.ackedThrough);
      if (s) await this.markClosed(s);
      else await this.store.markClosedOnServer(closed.sessionId);
      return;
    }
    // Only an answer to the close in flight: a repeated `incomplete` would rewind a resend already under way.
    if (!s || !s.closeInFlight) return;
    s.closeInFlight = false;
    s.incompleteCloses += 1;
    if (s.incompleteCloses > MAX_INCOMPLETE_CLOSES) {
      await this.quarantine(
        s,
        closed.ackedThrough + 1,
        s.eventCount,
        'incomplete_close',
        `the server still misses ${closed.missing} events after ${MAX_INCOMPLETE_CLOSES} resends`,
      );
      return;
    }
    // The server lost events it once acked: resend everything after what it really holds.
    resetAcked(s, Math.min(s.acked, closed.ackedThrough));
    await this.setError({
      code: 'incomplete',
      sessionId: s.id,
      message: `server holds ${closed.ackedThrough} of ${s.eventCount} events (${closed.missing} missing); resending`,
    });
  }

  private async onError(error: ErrorMessage): Promise<void> {
    const batch = error.batchId === undefined ? undefined : this.inFlight.get(error.batchId);
    await this.setError({ code: error.code, message: error.message, sessionId: batch?.sessionId });
    if (error.batchId !== undefined && !batch) return; // about a batch no longer outstanding: a stale or repeated answer
    if (!batch) {
      // Not about a batch (resume, session_close, the connection itself): start over, after a backoff.
      await this.connections.drop(`server error ${error.code}`, 'server_error');
      return;
    }
    this.inFlight.delete(error.batchId!);
    const s = this.sessions.get(batch.sessionId);
    if (!s || s.quarantine) return;
    switch (classifyRefusal(error, batch.last - batch.first + 1)) {
      case 'retry': {
        // The batch is uncovered again and goes out after the pause; the pause covers every session,
        // since a busy or rate-limiting server is busy for all of them.
        const delay = backoffDelay(this.refusalAttempt++, this.random, this.backoff);
        this.pausedUntil = this.clock.now() + delay;
        this.timers.set('pause', delay, () => this.pump());
        break;
      }
      case 'bisect':
        narrowAfterRefusal(s, batch);
        break;
      case 'quarantine':
        await this.quarantine(s, batch.first, batch.last, error.code, error.message);
        break;
    }
  }

  // ---- outbound ---------------------------------------------------------------------------------

  /** Fills the window: `session_close` for finished sessions, then batches, round-robin over sessions. */
  private async pump(): Promise<void> {
    const link = this.connections.link;
    if (!link || link.phase !== 'ready' || this.stopped) return;
    if (this.clock.now() < this.pausedUntil) return;
    for (const s of this.sessions.values()) {
      if (!readyToClose(s)) continue;
      s.closeInFlight = true;
      this.connections.send(link, {
        type: 'session_close',
        sessionId: s.id,
        endTime: s.endTime ?? 0,
        finalCount: s.eventCount,
      });
    }
    while (this.inFlight.size < this.window) {
      const pick = this.pickNext();
      if (!pick) break;
      const { s, range } = pick;
      const events = await this.store.readEvents(s.id, range.first, range.last, range.limit);
      if (this.connections.link !== link || this.stopped) return;
      const slice = nextBatch(events, range.first, { maxEvents: range.limit, maxBytes: this.limits.maxBytes });
      if (slice.kind !== 'batch') {
        await this.onUnreadable(s, range.first);
        if (this.connections.link !== link || this.stopped) return;
        continue;
      }
      const last = range.first + slice.events.length - 1;
      const batchId = `${this.batchPrefix}-${(++this.batchCounter).toString(36)}`;
      // Weighted towards recent batches: event sizes drift with the pages being recorded.
      this.avgEventBytes = 0.8 * this.avgEventBytes + 0.2 * (slice.bytes / slice.events.length);
      this.inFlight.set(batchId, { sessionId: s.id, first: range.first, last });
      this.connections.send(link, {
        type: 'batch',
        v: SYNC_PROTOCOL_VERSION,
        batchId,
        sessionId: s.id,
        session: s.meta,
        firstSequence: range.first,
        lastSequence: last,
        events: slice.events,
      });
    }
  }

  /** The next session (round-robin) with something to send, and what. */
  private pickNext(): { s: SessionSync; range: SendRange } | undefined {
    const list = [...this.sessions.values()];
    for (let i = 0; i < list.length; i++) {
      const index = (this.roundRobin + i) % list.length;
      const s = list[index]!;
      const inFlight = [...this.inFlight.values()].filter((b) => b.sessionId === s.id);
      const range = nextSendRange(s, inFlight, this.limits.maxEvents);
      if (range) {
        this.roundRobin = index + 1;
        return { s, range };
      }
    }
    return undefined;
  }

  /** The store has no event `sequence` although the session claims it. */
  private async onUnreadable(s: SessionSync, sequence: number): Promise<void> {
    // A deleted session reads as empty: that is the worker's choice, not a gap to report.
    const pending = await this.store.listPendingSessions();
    if (!pending.some((p) => p.sessionId === s.id)) {
      this.sessions.delete(s.id);
      return;
    }
    await this.quarantine(
      s,
      sequence,
      sequence,
      'local_gap',
      `event ${sequence} is missing from local storage; later events cannot be acknowledged`,
    );
  }

  /** Requests awaiting an answer on the current connection (a connect in progress counts as one). */
  private outstanding(): number {
    const link = this.connections.link;
    if (!link) return 0;
    let closes = 0;
    for (const s of this.sessions.values()) if (s.closeInFlight) closes += 1;
    const waiting = link.phase === 'connecting' || link.pendingResumes > 0 ? 1 : 0;
    return this.inFlight.size + closes + waiting;
  }

  private schedulePoll(): void {
    this.timers.set('poll', this.pollIntervalMs, async () => {
      this.schedulePoll();
      await this.refreshSessions();
      await this.pump();
    });
  }

  // ---- store-backed state -----------------------------------------------------------------------

  /** Re-reads pending sessions: new events, newly ended or new sessions; forgets finished ones. */
  private async refreshSessions(): Promise<void> {
    const pending = await this.store.listPendingSessions();
    const seen = new Set<string>();
    for (const p of pending) {
      seen.add(p.sessionId);
      let s = this.sessions.get(p.sessionId);
      if (s) updateFromStore(s, p);
      else this.sessions.set(p.sessionId, (s = createSessionSync(p, this.quarantined.get(p.sessionId))));
      // Nothing was recorded, so nothing is on the server either: there is nothing to close there.
      if (s.ended && s.eventCount === 0 && !s.closedOnServer) await this.markClosed(s);
    }
    const busy = new Set([...this.inFlight.values()].map((b) => b.sessionId));
    for (const [id, s] of this.sessions) {
      if (!seen.has(id) && !busy.has(id) && !s.closeInFlight) this.sessions.delete(id);
    }
  }

  private async markClosed(s: SessionSync): Promise<void> {
    await this.store.markClosedOnServer(s.id);
    s.closedOnServer = true;
    s.closeInFlight = false;
    this.sessions.delete(s.id);
  }

  private async quarantine(
    s: SessionSync,
    first: number,
    last: number,
    code: QuarantineCode,
    reason: string,
  ): Promise<void> {
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

  private async setError(error: Omit<SyncError, 'at'>): Promise<void> {
    const lastError: SyncError = { ...error, at: this.clock.now() };
    if (lastError.sessionId === undefined) delete lastError.sessionId;
    this.meta = { ...this.meta, lastError };
    await this.store.saveSyncMeta(this.meta);
  }

  // ---- status -----------------------------------------------------------------------------------

  private computeStatus(): SyncStatus {
    return computeStatus({
      link: this.connections.link,
      sessions: this.sessions.values(),
      quarantined: this.quarantined.values(),
      meta: this.meta,
      avgEventBytes: this.avgEventBytes,
    });
  }

  private emitStatus(): void {
    const status = this.computeStatus();
    if (sameStatus(status, this.lastStatus)) return;
    this.lastStatus = status;
    for (const listener of [...this.listeners]) listener(status);
  }
}
