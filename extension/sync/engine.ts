import { SYNC_PROTOCOL_VERSION, type BatchAck, type BatchMessage, type ErrorMessage, type ResumeState, type SessionClosed } from '@codesight/schema';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { DEFAULT_BATCH_LIMITS, nextBatch, type BatchLimits } from './batcher';
import { systemClock, type Clock, type TimerHandle } from './clock';
import { classifyRefusal } from './refusals';
import {
  createSessionSync, nextSendRange, raiseAcked, readyToClose, recordHeld, resetAcked, updateFromStore,
  type SessionSync, type SeqRange,
} from './session-sync';
import { sameStatus, type SyncStatus } from './status';
import type { QuarantineCode, QuarantinedBatch, SyncError, SyncMeta, SyncStore } from './store';
import type { SyncServerMessage, SyncTransport, TransportListener, TransportState } from './transport';
import { TransportPolicy, type TransportKind, type TransportPolicyOptions } from './transport-policy';

/*
 * The engine's state machine (one connection at a time; every reaction runs serially):
 *
 *   start() ─► CONNECTING ──open──► RESUMING ──all resume_state──► READY ◄─┐ batch_ack / error / kick:
 *                  ▲   │ closed       │ closed, 30 s silence         │     │ pump() fills the window
 *                  │   ▼              ▼                              ▼     │
 *                  └─ OFFLINE ◄───────┴── closed, 30 s silence, error without batchId
 *          backoff (full jitter, 1 s…5 min) or kick('online')
 *
 *   Transport: WebSocket; 3 failures within 60 s → HTTP; WebSocket probed after 30 s, 60 s … ≤ 10 min;
 *   a probe that opens replaces the HTTP connection (RESUMING again).
 *
 *   Per session, in READY: send the first run of sequences above the server watermark that is neither
 *   in flight nor known held; batch_ack raises the watermark (never lowers it); retryable error →
 *   pause everything for a backoff, resend; permanent error → halve the batch until one event, then
 *   quarantine (the session stops, kept, shown; retryQuarantined() resumes it); ended and all acked →
 *   session_close → complete: closed on server | incomplete: rewind to the server's ackedThrough.
 */

/**
 * Batches awaiting an ack at once, across all sessions. 4 keeps the link busy over one round trip of
 * latency (a batch is stored in ~12 ms, a mobile round trip is ~100 ms) while bounding what a drop
 * forces us to resend. The bench decides the final number.
 */
export const DEFAULT_WINDOW = 4;
/**
 * No answer at all for this long while something is outstanding means the connection is dead even if
 * the socket has not noticed (half-open TCP, a lost message): drop it and resume. Generous, since a
 * 25 KiB gzipped batch over a poor mobile link takes seconds, not tens of seconds.
 */
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;
/** Safety net in case a caller forgets `kick()`: re-read the store this often while connected. */
export const DEFAULT_POLL_INTERVAL_MS = 30_000;
/** `incomplete` answers tolerated per session before it is quarantined instead of re-uploaded forever. */
export const MAX_INCOMPLETE_CLOSES = 5;
/** `resume` carries at most this many session ids (schema bound); more sessions take several messages. */
const RESUME_CHUNK = 1000;
/** A connection that stayed open this long was healthy; its loss restarts the backoff from the base. */
const STABLE_CONNECTION_MS = 60_000;
/** Assumed event size for `pendingBytes` before any batch has been measured (a typical pointer event). */
const INITIAL_EVENT_BYTES = 600;

/** Dependencies and tuning of the engine. Only `store` and `ws` are required. */
export interface SyncEngineOptions {
  store: SyncStore;
  /** The primary transport. */
  ws: SyncTransport;
  /** The fallback with identical payloads; without it the engine only ever uses `ws`. */
  http?: SyncTransport;
  clock?: Clock;
  /** Source of jitter and batch-id entropy; seeded in tests. */
  random?: () => number;
  window?: number;
  batchLimits?: Partial<BatchLimits>;
  backoff?: Partial<BackoffOptions>;
  transportPolicy?: Partial<TransportPolicyOptions>;
  ackTimeoutMs?: number;
  pollIntervalMs?: number;
}

/** Why the engine is asked to hurry. */
export type KickReason =
  /** New events were written: send now if connected (a pending backoff is respected). */
  | 'events'
  /** The browser reports it is online: reconnect now, forgetting past failures, and try the WebSocket. */
  | 'online';

/** The sync engine as the background script uses it. */
export interface SyncEngine {
  /** Loads state from the store and connects. Idempotent. */
  start(): void;
  /** Closes the connection and cancels every timer; the engine cannot be restarted (create a new one). */
  stop(): Promise<void>;
  kick(reason?: KickReason): void;
  getStatus(): SyncStatus;
  /** Calls `listener` on every status change; returns the unsubscribe function. */
  subscribe(listener: (status: SyncStatus) => void): () => void;
  /** The worker's "try again" on a quarantined session (e.g. after an update): resend from its watermark. */
  retryQuarantined(sessionId: string): Promise<void>;
  /** Resolves once all work queued so far has run (tests, orderly shutdown). */
  idle(): Promise<void>;
}

/** Creates a {@link SyncEngine}; nothing happens until `start()`. */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  return new Engine(options);
}

interface InFlightBatch extends SeqRange {
  sessionId: string;
}

interface Connection {
  epoch: number;
  transport: SyncTransport;
  kind: TransportKind;
  phase: 'connecting' | 'resuming' | 'ready';
  openedAt?: number;
  unsubscribe: () => void;
  /** `resume` messages not answered yet. */
  pendingResumes: number;
}

type TimerName = 'reconnect' | 'probe' | 'pause' | 'watchdog' | 'poll';

/** Why a connection is abandoned: transport failures count against the WebSocket, the others do not. */
type LossCause = 'transport' | 'ack_timeout' | 'server_error' | 'internal';

class Engine implements SyncEngine {
  private readonly store: SyncStore;
  private readonly ws: SyncTransport;
  private readonly http: SyncTransport | undefined;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly window: number;
  private readonly limits: BatchLimits;
  private readonly backoff: BackoffOptions;
  private readonly ackTimeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly policy: TransportPolicy;

  private readonly sessions = new Map<string, SessionSync>();
  private readonly quarantined = new Map<string, QuarantinedBatch>();
  private readonly inFlight = new Map<string, InFlightBatch>();
  private readonly timers = new Map<TimerName, TimerHandle>();
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private conn: Connection | undefined;
  private probe: { epoch: number; unsubscribe: () => void } | undefined;
  private epoch = 0;
  /** Consecutive failures without progress: drives the backoff. */
  private attempt = 0;
  private pausedUntil = 0;
  /** Last sign of life from the server, or the moment we started waiting for one. */
  private lastActivityAt = 0;
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
    this.ws = options.ws;
    this.http = options.http;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.window = Math.max(1, options.window ?? DEFAULT_WINDOW);
    this.limits = { ...DEFAULT_BATCH_LIMITS, ...options.batchLimits };
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.policy = new TransportPolicy(options.transportPolicy);
    // Batch ids only correlate acks with batches; a random prefix keeps them distinct across engine lives.
    this.batchPrefix = Math.floor(this.random() * 36 ** 8).toString(36).padStart(8, '0');
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
      this.connectNow();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const name of [...this.timers.keys()]) this.clearTimer(name);
    if (this.conn) {
      this.conn.unsubscribe();
      this.conn.transport.close('stopped');
      this.conn = undefined;
    }
    if (this.probe) {
      this.probe.unsubscribe();
      this.ws.close('stopped');
      this.probe = undefined;
    }
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
      if (reason === 'online') {
        if (!this.conn) {
          // A probe in progress would race the new connection for the same socket: restart cleanly.
          if (this.probe) {
            this.probe.unsubscribe();
            this.probe = undefined;
            this.ws.close('reconnecting');
          }
          this.policy.reset();
          this.attempt = 0;
          this.connectNow();
          return;
        }
        if (this.conn.kind === 'http') this.startProbe();
      }
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
    if (this.conn) await this.connectionLost('internal error', 'internal');
    else this.scheduleReconnect();
  }

  // ---- connection lifecycle ---------------------------------------------------------------------

  private listenerFor(epoch: number): TransportListener {
    return {
      onState: (state) => this.enqueue(() => this.onState(epoch, state)),
      onMessage: (message) => this.enqueue(() => this.onMessage(epoch, message)),
    };
  }

  private connectNow(): void {
    this.clearTimer('reconnect');
    if (this.conn || this.stopped) return;
    const kind: TransportKind = this.http ? this.policy.mode : 'ws';
    const transport = kind === 'http' && this.http ? this.http : this.ws;
    const epoch = ++this.epoch;
    const unsubscribe = transport.subscribe(this.listenerFor(epoch));
    this.conn = { epoch, transport, kind, phase: 'connecting', unsubscribe, pendingResumes: 0 };
    this.lastActivityAt = this.clock.now();
    this.armWatchdog();
    transport.connect();
    if (kind === 'http') this.scheduleProbe();
  }

  private async onState(epoch: number, state: TransportState): Promise<void> {
    if (this.probe?.epoch === epoch) return this.onProbeState(state);
    const conn = this.conn;
    if (!conn || conn.epoch !== epoch) return;
    if (state.status === 'open' && conn.phase === 'connecting') {
      conn.phase = 'resuming';
      conn.openedAt = this.clock.now();
      await this.beginResume(conn);
    } else if (state.status === 'closed') {
      await this.connectionLost(state.reason, 'transport');
    }
  }

  /** Abandons the current connection: in-flight batches are forgotten (resume will tell what arrived). */
  private async connectionLost(reason: string, cause: LossCause): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    conn.unsubscribe();
    if (cause !== 'transport') conn.transport.close(reason);
    this.conn = undefined;
    this.forgetConnectionState();
    const now = this.clock.now();
    // A connection that lived a while was healthy: this failure starts a new series, not the next step of one.
    if (conn.openedAt !== undefined && now - conn.openedAt >= STABLE_CONNECTION_MS) this.attempt = 0;
    if (conn.kind === 'ws' && (cause === 'transport' || cause === 'ack_timeout')) {
      const before = this.policy.mode;
      this.policy.recordWsFailure(now, conn.openedAt);
      // Switching transports is a fresh start, not one more failure of the same thing.
      if (this.http && before === 'ws' && this.policy.mode === 'http') this.attempt = 0;
    }
    this.scheduleReconnect();
    if (cause === 'transport' || cause === 'ack_timeout') {
      await this.setError({ code: cause === 'ack_timeout' ? 'ack_timeout' : 'connection', message: `${conn.kind}: ${reason}` });
    }
  }

  private forgetConnectionState(): void {
    this.inFlight.clear();
    for (const s of this.sessions.values()) s.closeInFlight = false;
    this.clearTimer('watchdog');
    this.clearTimer('pause');
    this.pausedUntil = 0;
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.random, this.backoff);
    this.setTimer('reconnect', delay, () => this.connectNow());
  }

  /** While on HTTP, try the WebSocket again when the policy says so. */
  private scheduleProbe(): void {
    if (!this.http || this.probe || this.stopped || this.policy.mode !== 'http') return;
    const at = this.policy.nextProbeAt();
    if (at === undefined) return;
    this.setTimer('probe', Math.max(0, at - this.clock.now()), () => this.startProbe());
  }

  private startProbe(): void {
    this.clearTimer('probe');
    if (this.probe || this.stopped || this.conn?.kind === 'ws') return;
    const epoch = ++this.epoch;
    this.probe = { epoch, unsubscribe: this.ws.subscribe(this.listenerFor(epoch)) };
    this.ws.connect();
  }

  private async onProbeState(state: TransportState): Promise<void> {
    const probe = this.probe;
    if (!probe || state.status === 'connecting') return;
    this.probe = undefined;
    if (state.status === 'closed') {
      probe.unsubscribe();
      this.policy.recordProbeFailure(this.clock.now());
      this.scheduleProbe();
      return;
    }
    // The WebSocket works again: it replaces the HTTP connection, which is dropped mid-flight.
    this.policy.recordProbeSuccess();
    if (this.conn) {
      this.conn.unsubscribe();
      this.conn.transport.close('switching back to websocket');
      this.conn = undefined;
      this.forgetConnectionState();
    }
    this.clearTimer('reconnect');
    const now = this.clock.now();
    const conn: Connection = {
      epoch: probe.epoch, transport: this.ws, kind: 'ws', phase: 'resuming', openedAt: now,
      unsubscribe: probe.unsubscribe, pendingResumes: 0,
    };
    this.conn = conn;
    this.lastActivityAt = now;
    await this.beginResume(conn);
  }

  /** Asks the server what it holds for every session with pending work, before sending anything. */
  private async beginResume(conn: Connection): Promise<void> {
    await this.refreshSessions();
    if (this.conn !== conn) return;
    const ids = [...this.sessions.values()].filter((s) => !s.quarantine && !s.closedOnServer).map((s) => s.id);
    if (ids.length === 0) return this.becomeReady(conn);
    for (let i = 0; i < ids.length; i += RESUME_CHUNK) {
      conn.pendingResumes += 1;
      this.send(conn, { type: 'resume', sessionIds: ids.slice(i, i + RESUME_CHUNK) });
    }
  }

  private async becomeReady(conn: Connection): Promise<void> {
    conn.phase = 'ready';
    await this.pump();
  }

  // ---- inbound ----------------------------------------------------------------------------------

  private async onMessage(epoch: number, message: SyncServerMessage): Promise<void> {
    const conn = this.conn;
    if (!conn || conn.epoch !== epoch) return;
    this.lastActivityAt = this.clock.now();
    switch (message.type) {
      case 'resume_state':
        await this.onResumeState(conn, message);
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
    if (this.conn === conn && conn.phase === 'ready') await this.pump();
    this.armWatchdog();
  }

  private async onResumeState(conn: Connection, message: ResumeState): Promise<void> {
    // Once sending has started, a late copy would describe the past (and `known: false` would rewind).
    if (conn.phase !== 'resuming') return;
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
    conn.pendingResumes -= 1;
    if (conn.pendingResumes <= 0 && conn.phase === 'resuming') {
      conn.phase = 'ready';
      // Kicks while resuming were not acted on: catch up with what the recorder wrote meanwhile.
      await this.refreshSessions();
    }
  }

  private async onBatchAck(ack: BatchAck): Promise<void> {
    const batch = this.inFlight.get(ack.batchId);
    this.inFlight.delete(ack.batchId);
    const s = this.sessions.get(ack.sessionId);
    if (s) {
      if (batch && batch.sessionId === s.id && ack.ackedThrough < batch.last) recordHeld(s, batch);
      if (raiseAcked(s, ack.ackedThrough)) await this.store.setAckedThrough(s.id, s.acked);
    }
    this.attempt = 0;
    this.meta = { ...this.meta, lastSyncAt: this.clock.now() };
    await this.store.saveSyncMeta(this.meta);
  }

  private async onSessionClosed(closed: SessionClosed): Promise<void> {
    const s = this.sessions.get(closed.sessionId);
    if (closed.status === 'complete') {
      this.attempt = 0;
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
      await this.quarantine(s, closed.ackedThrough + 1, s.eventCount, 'incomplete_close',
        `the server still misses ${closed.missing} events after ${MAX_INCOMPLETE_CLOSES} resends`);
      return;
    }
    // The server lost events it once acked: resend everything after what it really holds.
    resetAcked(s, Math.min(s.acked, closed.ackedThrough));
    await this.setError({
      code: 'incomplete', sessionId: s.id,
      message: `server holds ${closed.ackedThrough} of ${s.eventCount} events (${closed.missing} missing); resending`,
    });
  }

  private async onError(error: ErrorMessage): Promise<void> {
    const batch = error.batchId === undefined ? undefined : this.inFlight.get(error.batchId);
    await this.setError({ code: error.code, message: error.message, sessionId: batch?.sessionId });
    if (error.batchId !== undefined && !batch) return; // about a batch no longer outstanding: a stale or repeated answer
    if (!batch) {
      // Not about a batch (resume, session_close, the connection itself): start over, after a backoff.
      await this.connectionLost(`server error ${error.code}`, 'server_error');
      return;
    }
    this.inFlight.delete(error.batchId!);
    const s = this.sessions.get(batch.sessionId);
    if (!s || s.quarantine) return;
    const size = batch.last - batch.first + 1;
    switch (classifyRefusal(error, size)) {
      case 'retry': {
        // The batch is uncovered again and goes out after the pause; the pause covers every session,
        // since a busy or rate-limiting server is busy for all of them.
        const delay = backoffDelay(this.attempt++, this.random, this.backoff);
        this.pausedUntil = this.clock.now() + delay;
        this.setTimer('pause', delay, () => this.pump());
        break;
      }
      case 'bisect': {
        const half = Math.ceil(size / 2);
        s.narrow = {
          until: Math.max(batch.last, s.narrow?.until ?? 0),
          maxEvents: Math.min(half, s.narrow?.maxEvents ?? half),
        };
        break;
      }
      case 'quarantine':
        await this.quarantine(s, batch.first, batch.last, error.code, error.message);
        break;
    }
  }

  // ---- outbound ---------------------------------------------------------------------------------

  /** Fills the window: `session_close` for finished sessions, then batches, round-robin over sessions. */
  private async pump(): Promise<void> {
    const conn = this.conn;
    if (!conn || conn.phase !== 'ready' || this.stopped) return;
    if (this.clock.now() < this.pausedUntil) return;
    for (const s of this.sessions.values()) {
      if (!readyToClose(s)) continue;
      s.closeInFlight = true;
      this.send(conn, { type: 'session_close', sessionId: s.id, endTime: s.endTime ?? 0, finalCount: s.eventCount });
    }
    while (this.inFlight.size < this.window) {
      const pick = this.pickNext();
      if (!pick) break;
      const { s, range } = pick;
      const events = await this.store.readEvents(s.id, range.first, range.last, range.limit);
      if (this.conn !== conn || this.stopped) return;
      const slice = nextBatch(events, range.first, { maxEvents: range.limit, maxBytes: this.limits.maxBytes });
      if (slice.kind !== 'batch') {
        // A deleted session reads as empty: that is the worker's choice, not a gap to report.
        const pending = await this.store.listPendingSessions();
        if (this.conn !== conn || this.stopped) return;
        if (!pending.some((p) => p.sessionId === s.id)) {
          this.sessions.delete(s.id);
          continue;
        }
        await this.quarantine(s, range.first, range.first, 'local_gap',
          `event ${range.first} is missing from local storage; later events cannot be acknowledged`);
        continue;
      }
      const last = range.first + slice.events.length - 1;
      const batchId = `${this.batchPrefix}-${(++this.batchCounter).toString(36)}`;
      const message: BatchMessage = {
        type: 'batch', v: SYNC_PROTOCOL_VERSION, batchId, sessionId: s.id, session: s.meta,
        firstSequence: range.first, lastSequence: last, events: slice.events,
      };
      // Weighted towards recent batches: event sizes drift with the pages being recorded.
      this.avgEventBytes = 0.8 * this.avgEventBytes + 0.2 * (slice.bytes / slice.events.length);
      this.inFlight.set(batchId, { sessionId: s.id, first: range.first, last });
      this.send(conn, message);
    }
  }

  private pickNext(): { s: SessionSync; range: NonNullable<ReturnType<typeof nextSendRange>> } | undefined {
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

  private send(conn: Connection, message: Parameters<SyncTransport['send']>[0]): void {
    if (this.outstanding() === 0) this.lastActivityAt = this.clock.now();
    conn.transport.send(message);
    this.armWatchdog();
  }

  // ---- watchdog, poll, timers -------------------------------------------------------------------

  /** Requests awaiting an answer on the current connection (a connect in progress counts as one). */
  private outstanding(): number {
    const conn = this.conn;
    if (!conn) return 0;
    let closes = 0;
    for (const s of this.sessions.values()) if (s.closeInFlight) closes += 1;
    const waiting = conn.phase === 'connecting' || conn.pendingResumes > 0 ? 1 : 0;
    return this.inFlight.size + closes + waiting;
  }

  private armWatchdog(): void {
    if (this.timers.has('watchdog') || this.outstanding() === 0) return;
    const due = this.lastActivityAt + this.ackTimeoutMs - this.clock.now();
    this.setTimer('watchdog', Math.max(0, due), async () => {
      if (this.outstanding() === 0) return;
      if (this.clock.now() - this.lastActivityAt >= this.ackTimeoutMs) {
        await this.connectionLost(`no answer for ${this.ackTimeoutMs / 1000} s`, 'ack_timeout');
      } else {
        this.armWatchdog();
      }
    });
  }

  private schedulePoll(): void {
    this.setTimer('poll', this.pollIntervalMs, async () => {
      this.schedulePoll();
      await this.refreshSessions();
      await this.pump();
    });
  }

  private setTimer(name: TimerName, ms: number, task: () => Promise<void> | void): void {
    this.clearTimer(name);
    const handle = this.clock.setTimeout(() => {
      if (this.timers.get(name) !== handle) return;
      this.timers.delete(name);
      this.enqueue(task);
    }, ms);
    this.timers.set(name, handle);
  }

  private clearTimer(name: TimerName): void {
    const handle = this.timers.get(name);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.timers.delete(name);
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

  private async quarantine(s: SessionSync, first: number, last: number, code: QuarantineCode, reason: string): Promise<void> {
    const entry: QuarantinedBatch = { sessionId: s.id, firstSequence: first, lastSequence: last, code, reason, at: this.clock.now() };
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
    const conn = this.conn;
    const connection = !conn ? 'offline' : conn.phase !== 'ready' ? 'connecting' : conn.kind === 'ws' ? 'live' : 'fallback-http';
    let pendingEvents = 0;
    for (const s of this.sessions.values()) pendingEvents += Math.max(0, s.eventCount - s.acked);
    const quarantined = [...this.quarantined.values()].map((q) => {
      const eventCount = this.sessions.get(q.sessionId)?.eventCount ?? q.lastSequence;
      return { ...q, blockedEvents: Math.max(0, eventCount - q.firstSequence + 1) };
    });
    const status: SyncStatus = {
      connection, pendingEvents, pendingBytes: Math.round(pendingEvents * this.avgEventBytes), quarantined,
    };
    if (this.meta.lastSyncAt !== undefined) status.lastSyncAt = this.meta.lastSyncAt;
    if (this.meta.lastError !== undefined) status.lastError = this.meta.lastError;
    return status;
  }

  private emitStatus(): void {
    const status = this.computeStatus();
    if (sameStatus(status, this.lastStatus)) return;
    this.lastStatus = status;
    for (const listener of [...this.listeners]) listener(status);
  }
}
