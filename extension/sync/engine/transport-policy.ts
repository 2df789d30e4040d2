/** Which transport carries sync traffic. */
export type TransportKind = 'ws' | 'http';

/** Tuning of {@link TransportPolicy}. */
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
 * Decides between the WebSocket and its HTTP twin from the history of WebSocket failures. Pure: the
 * engine reports what happened with timestamps and asks what to do.
 */
export class TransportPolicy {
  private current: TransportKind = 'ws';
  private failures: number[] = [];
  private probeInterval: number;
  private probeAt: number | undefined;
  private readonly options: TransportPolicyOptions;

  constructor(options: Partial<TransportPolicyOptions> = {}) {
    this.options = { ...DEFAULT_TRANSPORT_POLICY, ...options };
    this.probeInterval = this.options.probeIntervalMs;
  }

  /** The transport to connect with next. */
  get mode(): TransportKind {
    return this.current;
  }

  /**
   * A WebSocket connect failed, or an open socket dropped. `openedAt` (for a drop) tells whether the
   * socket had been healthy: one that stayed up a whole failure window earns a fresh probe interval.
   */
  recordWsFailure(now: number, openedAt?: number): void {
    if (openedAt !== undefined && now - openedAt >= this.options.failureWindowMs) {
      this.probeInterval = this.options.probeIntervalMs;
    }
    this.failures = this.failures.filter((t) => now - t < this.options.failureWindowMs);
    this.failures.push(now);
    if (this.current === 'ws' && this.failures.length >= this.options.failureThreshold) {
      this.current = 'http';
      this.failures = [];
      this.probeAt = now + this.probeInterval;
    }
  }

  /** When to try the WebSocket again; undefined while it is in use. */
  nextProbeAt(): number | undefined {
    return this.current === 'http' ? this.probeAt : undefined;
  }

  /** A probe could not open the WebSocket: wait twice as long before the next one. */
  recordProbeFailure(now: number): void {
    this.probeInterval = Math.min(this.options.maxProbeIntervalMs, this.probeInterval * 2);
    this.probeAt = now + this.probeInterval;
  }

  /**
   * A probe opened the WebSocket: switch back. The probe interval is kept, so a socket that works for a
   * moment and then keeps failing is probed less and less often.
   */
  recordProbeSuccess(): void {
    this.current = 'ws';
    this.failures = [];
    this.probeAt = undefined;
  }

  /** Forget the history (the browser reports it is online again: past failures said nothing about the socket). */
  reset(): void {
    this.current = 'ws';
    this.failures = [];
    this.probeAt = undefined;
    this.probeInterval = this.options.probeIntervalMs;
  }
}
