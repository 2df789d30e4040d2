import { systemClock } from '@codesight/schema';
import { DEFAULT_BACKOFF } from './backoff';
import { DEFAULT_BATCH_LIMITS } from './batcher';
import { ConnectionManager } from './connection';
import {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_WINDOW,
  type KickReason,
  type SyncEngine,
  type SyncEngineOptions,
} from './engine-types';
import { sameStatus, type SyncStatus } from './status';
import { SyncProtocol } from './sync-protocol';
import { SyncState } from './sync-state';
import { TimerSet } from './timer-set';

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
 *   Transport (connection.ts): WebSocket; each failure prompts one HTTP request to the same server, and
 *   3 failures within 60 s while HTTP answered → HTTP (failures while HTTP fails too are an outage: keep
 *   retrying the WebSocket); on HTTP the WebSocket is probed after 5 s, 10 s … every 60 s; a probe that
 *   opens replaces the HTTP connection at once (RESUMING again).
 *
 *   Per session, in READY: send the first run of sequences above the server watermark that is neither
 *   in flight nor known held; batch_ack raises the watermark (never lowers it); retryable error →
 *   pause everything for a backoff, resend; permanent error → halve the batch until one event, then
 *   quarantine (the session stops, kept, shown; retryQuarantined() resumes it); ended and all acked →
 *   session_close → complete: closed on server | incomplete: rewind to the server's ackedThrough.
 *
 * What each answer means and what to send next are pure functions (on-*.ts, decide-send.ts); the
 * conversation on a connection applies them (sync-protocol.ts); the memory and its store writes are
 * SyncState (sync-state.ts); the connection is ConnectionManager (connection.ts). This shell owns the
 * serial queue every reaction runs on, the lifecycle, the poll timer and the status subscribers.
 */

/** Creates a {@link SyncEngine}; nothing happens until `start()`. */
export function createSyncEngine(options: SyncEngineOptions): SyncEngine {
  return new Engine(options);
}

class Engine implements SyncEngine {
  private readonly state: SyncState;
  private readonly connections: ConnectionManager;
  private readonly protocol: SyncProtocol;
  private readonly pollIntervalMs: number;
  private readonly timers: TimerSet<'poll'>;
  private readonly listeners = new Set<(status: SyncStatus) => void>();
  private kickQueued = false;
  private started = false;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  private lastStatus: SyncStatus;

  constructor(options: SyncEngineOptions) {
    const clock = options.clock ?? systemClock;
    const random = options.random ?? Math.random;
    const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    const run = (task: () => Promise<void> | void) => this.enqueue(task);
    this.state = new SyncState(options.store, clock);
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.timers = new TimerSet(clock, run);
    this.connections = new ConnectionManager({
      ws: options.ws,
      http: options.http,
      clock,
      random,
      backoff,
      policy: options.transportPolicy,
      ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
      run,
      outstanding: () => this.state.outstanding(this.connections.link),
      onOpen: (link) => this.protocol.beginResume(link),
      onMessage: (link, message) => this.protocol.handleMessage(link, message),
      onLost: () => this.protocol.onLost(),
      onError: (error) => this.state.setError(error),
    });
    this.protocol = new SyncProtocol({
      store: options.store,
      state: this.state,
      connections: this.connections,
      clock,
      random,
      backoff,
      window: Math.max(1, options.window ?? DEFAULT_WINDOW),
      limits: { ...DEFAULT_BATCH_LIMITS, ...options.batchLimits },
      run,
      isStopped: () => this.stopped,
    });
    this.lastStatus = this.state.status(undefined);
  }

  // ---- public API -------------------------------------------------------------------------------

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.schedulePoll();
    this.enqueue(async () => {
      await this.state.load();
      await this.state.refresh();
      this.connections.connect();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearAll();
    this.protocol.stop();
    this.connections.stop();
    await this.chain;
    this.state.inFlight.clear();
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
      await this.state.refresh();
      await this.protocol.pump();
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
      await this.state.releaseQuarantine(sessionId);
      await this.state.refresh();
      await this.protocol.pump();
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
      await this.state.setError({ code: 'store', message: err instanceof Error ? err.message : String(err) });
    } catch {
      // The store is failing; the error still shows in the status from memory.
    }
    if (this.stopped) return;
    if (this.connections.link) await this.connections.drop('internal error', 'internal');
    else this.connections.retryLater();
  }

  private schedulePoll(): void {
    this.timers.set('poll', this.pollIntervalMs, async () => {
      this.schedulePoll();
      await this.state.refresh();
      await this.protocol.pump();
    });
  }

  // ---- status -----------------------------------------------------------------------------------

  private emitStatus(): void {
    const status = this.state.status(this.connections.link);
    if (sameStatus(status, this.lastStatus)) return;
    this.lastStatus = status;
    for (const listener of [...this.listeners]) listener(status);
  }
}
