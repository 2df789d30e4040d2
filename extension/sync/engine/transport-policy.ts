import type { TransportKind } from '../transport/transport';

/** Tuning of {@link nextTransportPolicy}. */
export interface TransportPolicyOptions {
  /**
   * WebSocket failures (failed connects or drops) within `failureWindowMs`, each while HTTP to the same
   * server worked, that trigger the fallback.
   */
  failureThreshold: number;
  failureWindowMs: number;
  /** Delay before the first WebSocket probe after falling back; doubles after each failed probe. */
  probeIntervalMs: number;
  /** Longest wait between two probes while on HTTP. */
  maxProbeIntervalMs: number;
}

/**
 * The rule: **3 WebSocket failures (a connect that fails, or an open socket that drops) within 60 s,
 * each while an HTTP request to the same server succeeded → fall back to HTTP**. A failure while HTTP
 * fails too (server down, offline) is an outage, not a blocked socket: it does not count, and the engine
 * keeps retrying the WebSocket, so the server's return finds it there. Three, because one or two drops
 * are normal (laptop sleep, Wi-Fi roaming) and reconnecting is cheaper than switching; 60 s, because
 * three quick failures land well inside it while failures minutes apart are not a pattern.
 *
 * On HTTP the WebSocket is probed after 5 s, then 10 s, 20 s, 40 s, and every 60 s from then on; a
 * probe that opens switches back at once. 5 s: a socket that failed three times in a row rarely heals
 * sooner, and a first probe that early brings back one that was only briefly refused (a proxy or load
 * balancer restarting). 60 s cap: a probe is one handshake, so probing every minute costs next to
 * nothing, while a longer cap would keep a worker on HTTP for many minutes after the WebSocket works
 * again (it was 10 min, which after an outage meant a long stay on the fallback).
 */
export const DEFAULT_TRANSPORT_POLICY: TransportPolicyOptions = {
  failureThreshold: 3,
  failureWindowMs: 60_000,
  probeIntervalMs: 5_000,
  maxProbeIntervalMs: 60_000,
};

/**
 * What the policy remembers: the transport in use, the recent WebSocket failures, and while on HTTP
 * when to probe the WebSocket next. A plain value; {@link nextTransportPolicy} derives the next one.
 */
export interface TransportPolicyState {
  /** The transport to connect with next. */
  readonly mode: TransportKind;
  /** Times of WebSocket failures within the failure window that happened while HTTP worked. */
  readonly failures: readonly number[];
  /** Wait before the next probe; doubles after each failed probe or fallback, up to the cap. */
  readonly probeInterval: number;
  /** When to try the WebSocket again; undefined while it is in use. */
  readonly probeAt: number | undefined;
}

/** What happened to the WebSocket, as the policy is told. */
export type TransportEvent =
  /**
   * A WebSocket connect failed, or an open socket dropped, and an HTTP request to the same server was
   * tried at that time: `httpWorks` says whether it succeeded. `openedAt` (for a drop) tells whether the
   * socket had been healthy: one that stayed up a whole failure window earns a fresh probe interval.
   */
  | { kind: 'ws_failed'; now: number; openedAt?: number; httpWorks: boolean }
  /** A probe could not open the WebSocket: wait twice as long (at most the cap) before the next one. */
  | { kind: 'probe_failed'; now: number }
  /**
   * The WebSocket opened (a probe, or a connect already under way when the policy switched): it works,
   * use it at once. The probe interval doubles, so a socket that works for a moment and then keeps
   * failing is probed less often (up to the cap).
   */
  | { kind: 'ws_opened' }
  /** The browser is online again: past failures said nothing about the socket, forget them. */
  | { kind: 'online' };

/** A fresh start on the WebSocket. */
export function initialTransportPolicy(
  options: TransportPolicyOptions = DEFAULT_TRANSPORT_POLICY,
): TransportPolicyState {
  return { mode: 'ws', failures: [], probeInterval: options.probeIntervalMs, probeAt: undefined };
}

/**
 * Decides between the WebSocket and its HTTP twin from the history of WebSocket failures: the state
 * after `event`. Pure: the connection manager reports what happened with timestamps and asks what to do.
 */
export function nextTransportPolicy(
  state: TransportPolicyState,
  event: TransportEvent,
  options: TransportPolicyOptions = DEFAULT_TRANSPORT_POLICY,
): TransportPolicyState {
  switch (event.kind) {
    case 'ws_failed': {
      // Nothing works: an outage. It says nothing about the socket, and the failures before it may have
      // been the outage beginning, so the count starts over.
      if (!event.httpWorks) return { ...state, failures: [] };
      const { now, openedAt } = event;
      const healthy = openedAt !== undefined && now - openedAt >= options.failureWindowMs;
      const probeInterval = healthy ? options.probeIntervalMs : state.probeInterval;
      const failures = [...state.failures.filter((t) => now - t < options.failureWindowMs), now];
      if (state.mode === 'ws' && failures.length >= options.failureThreshold) {
        return { mode: 'http', failures: [], probeInterval, probeAt: now + probeInterval };
      }
      return { ...state, failures, probeInterval };
    }
    case 'probe_failed': {
      const probeInterval = Math.min(options.maxProbeIntervalMs, state.probeInterval * 2);
      return { ...state, probeInterval, probeAt: event.now + probeInterval };
    }
    case 'ws_opened': {
      // On the WebSocket already, the failures stay: a socket that opens and drops again and again is
      // what they are there to notice.
      if (state.mode === 'ws') return state;
      // Opening proves little until the socket stays up: if it fails again soon, the next probe waits
      // twice as long (a stable spell resets it, see `ws_failed`), so a flapping socket is not re-tried
      // every few seconds at the price of a resume and a resent window each time.
      const probeInterval = Math.min(options.maxProbeIntervalMs, state.probeInterval * 2);
      return { mode: 'ws', failures: [], probeInterval, probeAt: undefined };
    }
    case 'online':
      return initialTransportPolicy(options);
  }
}

/** When to try the WebSocket again; undefined while it is in use. */
export function nextProbeAt(state: TransportPolicyState): number | undefined {
  return state.mode === 'http' ? state.probeAt : undefined;
}
