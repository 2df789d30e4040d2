import type { TransportKind } from '../transport/transport';

/** Tuning of {@link nextTransportPolicy}. */
export interface TransportPolicyOptions {
  /** WebSocket failures (failed connects or drops) within `failureWindowMs` that trigger the fallback. */
  failureThreshold: number;
  failureWindowMs: number;
  /** Delay before the first WebSocket probe after falling back; doubles after each failed probe. */
  probeIntervalMs: number;
  maxProbeIntervalMs: number;
}

/**
 * The rule: **3 WebSocket failures (a connect that fails, or an open socket that drops) within 60 s →
 * fall back to HTTP**. Three, because one or two drops are normal (laptop sleep, Wi-Fi roaming) and
 * reconnecting is cheaper than switching; 60 s, because with the 1 s backoff base three quick failures
 * land well inside it while failures minutes apart are not a pattern. On HTTP the WebSocket is probed
 * after 30 s, then 60 s, 120 s… up to 10 min, and a probe that opens switches back at once.
 */
export const DEFAULT_TRANSPORT_POLICY: TransportPolicyOptions = {
  failureThreshold: 3,
  failureWindowMs: 60_000,
  probeIntervalMs: 30_000,
  maxProbeIntervalMs: 10 * 60_000,
};

/**
 * What the policy remembers: the transport in use, the recent WebSocket failures, and while on HTTP
 * when to probe the WebSocket next. A plain value; {@link nextTransportPolicy} derives the next one.
 */
export interface TransportPolicyState {
  /** The transport to connect with next. */
  readonly mode: TransportKind;
  /** Times of WebSocket failures within the failure window. */
  readonly failures: readonly number[];
  /** Wait before the next probe; doubles after each failed probe. */
  readonly probeInterval: number;
  /** When to try the WebSocket again; undefined while it is in use. */
  readonly probeAt: number | undefined;
}

/** What happened to the WebSocket, as the policy is told. */
export type TransportEvent =
  /**
   * A WebSocket connect failed, or an open socket dropped. `openedAt` (for a drop) tells whether the
   * socket had been healthy: one that stayed up a whole failure window earns a fresh probe interval.
   */
  | { kind: 'ws_failed'; now: number; openedAt?: number }
  /** A probe could not open the WebSocket: wait twice as long before the next one. */
  | { kind: 'probe_failed'; now: number }
  /**
   * A probe opened the WebSocket: switch back. The probe interval is kept, so a socket that works for
   * a moment and then keeps failing is probed less and less often.
   */
  | { kind: 'probe_opened' }
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
    case 'probe_opened':
      return { ...state, mode: 'ws', failures: [], probeAt: undefined };
    case 'online':
      return initialTransportPolicy(options);
  }
}

/** When to try the WebSocket again; undefined while it is in use. */
export function nextProbeAt(state: TransportPolicyState): number | undefined {
  return state.mode === 'http' ? state.probeAt : undefined;
}
