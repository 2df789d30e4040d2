import type { BackoffOptions } from './backoff';
import type { BatchLimits } from './batcher';
import type { Clock } from '@codesight/schema';
import type { SyncStatus } from './status';
import type { SyncStore } from '../store/store';
import type { SyncTransport } from '../transport/transport';
import type { TransportPolicyOptions } from './transport-policy';

/**
 * Batches awaiting an ack at once, across all sessions. Measured by `scripts/bench/sync`: window 1 is
 * ~40% slower than 4, 2 is ~5% slower, 4/8/16 are equal on loopback; 4 also covers a mobile round trip
 * (~100 ms) while bounding what a dropped connection forces us to resend.
 */
export const DEFAULT_WINDOW = 4;
/**
 * No answer at all for this long while something is outstanding means the connection is dead even if
 * the socket has not noticed (half-open TCP, a lost message): drop it and resume. Generous, since a
 * 25 KiB gzipped batch over a poor mobile link takes seconds, not tens of seconds.
 */
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;
/** Safety net in case a caller forgets `kick()`: re-read the store this often. */
export const DEFAULT_POLL_INTERVAL_MS = 30_000;
/** `incomplete` answers tolerated per session before it is quarantined instead of re-uploaded forever. */
export const MAX_INCOMPLETE_CLOSES = 5;

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
