import { backoffDelay, type BackoffOptions } from './backoff';
import type { Clock } from '@codesight/schema';
import type { SyncError } from '../store/store';
import { TimerSet } from './timer-set';
import type {
  SyncClientMessage,
  SyncServerMessage,
  SyncTransport,
  TransportKind,
  TransportListener,
  TransportState,
} from '../transport/transport';
import { onLinkLost, type LossCause } from './on-link-lost';
import {
  DEFAULT_TRANSPORT_POLICY,
  initialTransportPolicy,
  nextProbeAt,
  nextTransportPolicy,
  type TransportEvent,
  type TransportPolicyOptions,
  type TransportPolicyState,
} from './transport-policy';

/** One connection attempt and, once open, the connection; `epoch` tells its events from older ones'. */
export interface Link {
  readonly epoch: number;
  readonly kind: TransportKind;
  readonly transport: SyncTransport;
  /** `resuming` and `ready` are the engine's to set. */
  phase: 'connecting' | 'resuming' | 'ready';
  openedAt?: number;
  /** `resume` messages not answered yet. */
  pendingResumes: number;
  readonly unsubscribe: () => void;
}

/** Why the engine gives up a connection: only `ack_timeout` counts against the WebSocket. */
export type DropCause = Exclude<LossCause, 'transport'>;

/** Dependencies of {@link ConnectionManager}; the `on*` callbacks are the engine's. */
export interface ConnectionManagerOptions {
  ws: SyncTransport;
  http?: SyncTransport;
  clock: Clock;
  random: () => number;
  backoff: BackoffOptions;
  policy?: Partial<TransportPolicyOptions>;
  ackTimeoutMs: number;
  /** Runs a reaction on the engine's serial queue. */
  run: (task: () => Promise<void> | void) => void;
  /** Requests awaiting an answer on the current link, for the watchdog. */
  outstanding: () => number;
  /** A link opened (a fresh connection, or a WebSocket probe replacing HTTP): resume on it. */
  onOpen: (link: Link) => Promise<void>;
  onMessage: (link: Link, message: SyncServerMessage) => Promise<void>;
  /** The link is gone: whatever was in flight on it is unknown now. */
  onLost: (link: Link) => void;
  onError: (error: Omit<SyncError, 'at'>) => Promise<void>;
}

/**
 * Owns the connection: which transport, reconnecting with backoff, probing the WebSocket while on
 * HTTP, and the watchdog that declares a silent connection dead. The decisions are pure functions
 * (`nextTransportPolicy`, `onLinkLost`, `backoffDelay`); this holds their state, the transports and
 * the timers. Everything it does runs on the engine's serial queue.
 */
export class ConnectionManager {
  private current: Link | undefined;
  private probe: { epoch: number; unsubscribe: () => void } | undefined;
  private epoch = 0;
  /** Consecutive failures without progress: drives the reconnect backoff. */
  private attempt = 0;
  /** Last sign of life from the server, or the moment we started waiting for one. */
  private lastActivityAt = 0;
  private stopped = false;
  private readonly policyOptions: TransportPolicyOptions;
  private policy: TransportPolicyState;
  private readonly timers: TimerSet<'reconnect' | 'probe' | 'watchdog'>;

  constructor(private readonly o: ConnectionManagerOptions) {
    this.policyOptions = { ...DEFAULT_TRANSPORT_POLICY, ...o.policy };
    this.policy = initialTransportPolicy(this.policyOptions);
    this.timers = new TimerSet(o.clock, o.run);
  }

  /** The current link, if any (connecting, resuming or ready). */
  get link(): Link | undefined {
    return this.current;
  }

  /** Connects now unless a link exists. */
  connect(): void {
    this.timers.clear('reconnect');
    if (this.current || this.stopped) return;
    const kind: TransportKind = this.o.http ? this.policy.mode : 'ws';
    const transport = kind === 'http' && this.o.http ? this.o.http : this.o.ws;
    const epoch = ++this.epoch;
    this.current = {
      epoch,
      kind,
      transport,
      phase: 'connecting',
      pendingResumes: 0,
      unsubscribe: transport.subscribe(this.listenerFor(epoch)),
    };
    this.lastActivityAt = this.o.clock.now();
    this.armWatchdog();
    transport.connect();
    if (kind === 'http') this.scheduleProbe();
  }

  /**
   * The browser is online again. Without a link: forget past failures and connect now (WebSocket
   * first). On HTTP: probe the WebSocket now. Returns true when a new connection was started.
   */
  online(): boolean {
    if (!this.current) {
      // A probe in progress would race the new connection for the same socket: restart cleanly.
      if (this.probe) {
        this.probe.unsubscribe();
        this.probe = undefined;
        this.o.ws.close('reconnecting');
      }
      this.record({ kind: 'online' });
      this.attempt = 0;
      this.connect();
      return true;
    }
    if (this.current.kind === 'http') this.startProbe();
    return false;
  }

  send(link: Link, message: SyncClientMessage): void {
    if (this.o.outstanding() === 0) this.lastActivityAt = this.o.clock.now();
    link.transport.send(message);
    this.armWatchdog();
  }

  /** The engine gives up the current link (it closes it), then reconnects after a backoff. */
  drop(reason: string, cause: DropCause): Promise<void> {
    return this.lose(reason, cause);
  }

  /** Progress was made (an ack): the next failure starts a new backoff series. */
  resetBackoff(): void {
    this.attempt = 0;
  }

  /** Sets the reconnect timer without a link (after an internal error before connecting). */
  retryLater(): void {
    this.scheduleReconnect();
  }

  /** Re-arms the watchdog after outstanding work changed. */
  armWatchdog(): void {
    if (this.timers.has('watchdog') || this.o.outstanding() === 0) return;
    const due = this.lastActivityAt + this.o.ackTimeoutMs - this.o.clock.now();
    this.timers.set('watchdog', due, async () => {
      if (!this.current || this.o.outstanding() === 0) return;
      if (this.o.clock.now() - this.lastActivityAt >= this.o.ackTimeoutMs) {
        await this.lose(`no answer for ${this.o.ackTimeoutMs / 1000} s`, 'ack_timeout');
      } else {
        this.armWatchdog();
      }
    });
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearAll();
    if (this.current) {
      this.current.unsubscribe();
      this.current.transport.close('stopped');
      this.current = undefined;
    }
    if (this.probe) {
      this.probe.unsubscribe();
      this.o.ws.close('stopped');
      this.probe = undefined;
    }
  }

  private listenerFor(epoch: number): TransportListener {
    return {
      onState: (state) => this.o.run(() => this.onState(epoch, state)),
      onMessage: (message) => this.o.run(() => this.onMessage(epoch, message)),
    };
  }

  private async onState(epoch: number, state: TransportState): Promise<void> {
    if (this.probe?.epoch === epoch) return this.onProbeState(state);
    const link = this.current;
    if (!link || link.epoch !== epoch) return;
    if (state.status === 'open' && link.phase === 'connecting') {
      link.phase = 'resuming';
      link.openedAt = this.o.clock.now();
      await this.o.onOpen(link);
    } else if (state.status === 'closed') {
      await this.lose(state.reason, 'transport');
    }
  }

  private async onMessage(epoch: number, message: SyncServerMessage): Promise<void> {
    const link = this.current;
    if (!link || link.epoch !== epoch) return;
    this.lastActivityAt = this.o.clock.now();
    await this.o.onMessage(link, message);
    this.armWatchdog();
  }

  /** Abandons the current link and schedules the reconnect. */
  private async lose(reason: string, cause: LossCause): Promise<void> {
    const link = this.current;
    if (!link) return;
    link.unsubscribe();
    if (cause !== 'transport') link.transport.close(reason);
    this.current = undefined;
    this.timers.clear('watchdog');
    this.o.onLost(link);
    const verdict = onLinkLost({
      kind: link.kind,
      openedAt: link.openedAt,
      cause,
      reason,
      now: this.o.clock.now(),
      attempt: this.attempt,
      policy: this.policy,
      policyOptions: this.policyOptions,
      hasHttp: this.o.http !== undefined,
    });
    this.attempt = verdict.attempt;
    this.policy = verdict.policy;
    this.scheduleReconnect();
    if (verdict.error) await this.o.onError(verdict.error);
  }

  private record(event: TransportEvent): void {
    this.policy = nextTransportPolicy(this.policy, event, this.policyOptions);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.timers.set('reconnect', backoffDelay(this.attempt++, this.o.random, this.o.backoff), () => this.connect());
  }

  /** While on HTTP, try the WebSocket again when the policy says so. */
  private scheduleProbe(): void {
    if (!this.o.http || this.probe || this.stopped || this.policy.mode !== 'http') return;
    const at = nextProbeAt(this.policy);
    if (at !== undefined) this.timers.set('probe', at - this.o.clock.now(), () => this.startProbe());
  }

  private startProbe(): void {
    this.timers.clear('probe');
    if (this.probe || this.stopped || this.current?.kind === 'ws') return;
    const epoch = ++this.epoch;
    this.probe = { epoch, unsubscribe: this.o.ws.subscribe(this.listenerFor(epoch)) };
    this.o.ws.connect();
  }

  private async onProbeState(state: TransportState): Promise<void> {
    const probe = this.probe;
    if (!probe || state.status === 'connecting') return;
    this.probe = undefined;
    if (state.status === 'closed') {
      probe.unsubscribe();
      this.record({ kind: 'probe_failed', now: this.o.clock.now() });
      this.scheduleProbe();
      return;
    }
    // The WebSocket works again: it replaces the HTTP link, whose in-flight requests are forgotten.
    this.record({ kind: 'probe_opened' });
    const old = this.current;
    if (old) {
      old.unsubscribe();
      old.transport.close('switching back to websocket');
      this.current = undefined;
      this.timers.clear('watchdog');
      this.o.onLost(old);
    }
    this.timers.clear('reconnect');
    const now = this.o.clock.now();
    const link: Link = {
      epoch: probe.epoch,
      kind: 'ws',
      transport: this.o.ws,
      phase: 'resuming',
      openedAt: now,
      pendingResumes: 0,
      unsubscribe: probe.unsubscribe,
    };
    this.current = link;
    this.lastActivityAt = now;
    await this.o.onOpen(link);
  }
}
