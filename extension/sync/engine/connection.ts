import { serverPacedDelay, type BackoffOptions } from './backoff';
import type { Clock } from '@codesight/schema';
import type { SyncError } from '../store/store';
import { TimerSet } from './timer-set';
import { startHttpCheck } from './http-check';
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

/** A WebSocket failure waiting for the HTTP check that decides whether it counts. */
interface WsFailure {
  now: number;
  openedAt: number | undefined;
}

/** An HTTP check under way, with the WebSocket failures its answer decides on. */
interface PendingHttpCheck {
  failures: WsFailure[];
  cancel: () => void;
}

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
 * Owns the connection: which transport, reconnecting with backoff, checking HTTP when the WebSocket
 * fails (only a failure while HTTP works counts towards the fallback), probing the WebSocket while on
 * HTTP, and the watchdog that declares a silent connection dead. The decisions are pure functions
 * (`nextTransportPolicy`, `onLinkLost`, `backoffDelay`); this holds their state, the transports and
 * the timers. Everything it does runs on the engine's serial queue.
 */
export class ConnectionManager {
  private current: Link | undefined;
  private probe: { epoch: number; unsubscribe: () => void } | undefined;
  private httpCheck: PendingHttpCheck | undefined;
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
    // Neither a check nor a probe may share the transport the new link is about to use.
    if (kind === 'http') this.cancelHttpCheck();
    else this.cancelProbe('reconnecting');
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
      // The failures a pending check would weigh happened before the network came back: moot now.
      this.cancelHttpCheck();
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

  /**
   * The engine gives up the current link (it closes it), then reconnects after a backoff, and not
   * before `waitMs` when the server said how long to wait (a rate limit's `retryAfterMs`).
   */
  drop(reason: string, cause: DropCause, waitMs = 0): Promise<void> {
    return this.lose(reason, cause, waitMs);
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
    this.cancelProbe('stopped');
    this.cancelHttpCheck();
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
      // A WebSocket connect that began before the policy switched to HTTP, and opened: keep using it.
      if (link.kind === 'ws') this.record({ kind: 'ws_opened' });
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
  private async lose(reason: string, cause: LossCause, waitMs = 0): Promise<void> {
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
    });
    this.attempt = verdict.attempt;
    this.scheduleReconnect(waitMs);
    if (verdict.wsFailure) this.checkHttp(verdict.wsFailure);
    if (verdict.error) await this.o.onError(verdict.error);
  }

  private record(event: TransportEvent): void {
    this.policy = nextTransportPolicy(this.policy, event, this.policyOptions);
  }

  /**
   * A WebSocket failure counts towards the fallback only if HTTP to the same server works at that time:
   * ask it. Failures while a check is under way share its answer. Without an HTTP twin there is nothing
   * to fall back to; once on HTTP there is nothing more to decide.
   */
  private checkHttp(failure: WsFailure): void {
    const http = this.o.http;
    if (!http || this.stopped || this.policy.mode !== 'ws') return;
    if (this.httpCheck) {
      this.httpCheck.failures.push(failure);
      return;
    }
    const check: PendingHttpCheck = { failures: [failure], cancel: () => {} };
    this.httpCheck = check;
    check.cancel = startHttpCheck(http, (works) => this.o.run(() => this.onHttpChecked(check, works)));
  }

  private onHttpChecked(check: PendingHttpCheck, httpWorks: boolean): void {
    if (this.httpCheck !== check) return;
    this.httpCheck = undefined;
    for (const failure of check.failures) this.record({ kind: 'ws_failed', ...failure, httpWorks });
    if (!httpWorks || this.stopped) return;
    // The server answers, so this is no outage to wait out: the next try (the WebSocket again, or HTTP
    // if it is now deemed blocked) comes after a fresh backoff, not one an outage may have grown to minutes.
    this.attempt = 0;
    if (!this.current) this.scheduleReconnect();
  }

  private cancelHttpCheck(): void {
    this.httpCheck?.cancel();
    this.httpCheck = undefined;
  }

  private scheduleReconnect(waitMs = 0): void {
    if (this.stopped) return;
    this.timers.set('reconnect', serverPacedDelay(this.attempt++, waitMs, this.o.random, this.o.backoff), () =>
      this.connect(),
    );
  }

  /** While on HTTP, try the WebSocket again when the policy says so. */
  private scheduleProbe(): void {
    if (!this.o.http || this.probe || this.stopped || this.policy.mode !== 'http') return;
    const at = nextProbeAt(this.policy);
    if (at !== undefined) this.timers.set('probe', at - this.o.clock.now(), () => this.startProbe());
  }

  private startProbe(): void {
    this.timers.clear('probe');
    if (this.probe || this.stopped || this.current?.kind === 'ws' || this.policy.mode !== 'http') return;
    const epoch = ++this.epoch;
    this.probe = { epoch, unsubscribe: this.o.ws.subscribe(this.listenerFor(epoch)) };
    this.o.ws.connect();
  }

  /** A probe in progress would race a new WebSocket connection for the same socket: end it. */
  private cancelProbe(reason: string): void {
    if (!this.probe) return;
    this.probe.unsubscribe();
    this.probe = undefined;
    this.o.ws.close(reason);
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
    // The WebSocket works again: it replaces the HTTP link at once, whose in-flight requests are forgotten.
    this.record({ kind: 'ws_opened' });
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
