import type { Failure } from '@codesight/schema';
import type { TransportKind } from '../transport/transport';

/** Why a connection ended: the transport reported it closed, or the engine gave it up. */
export type LossCause =
  /** The transport reported the connection closed (a failed connect or a drop). */
  | 'transport'
  /** Nothing was heard for the ack timeout while requests waited: the connection is presumed dead. */
  | 'ack_timeout'
  /** The server answered an `error` about no batch: start over. */
  | 'server_error'
  /** The engine's own failure (the store): start over. */
  | 'internal';

/** A connection that stayed open this long was healthy; its loss restarts the backoff from the base. */
export const STABLE_CONNECTION_MS = 60_000;

/** What {@link onLinkLost} looks at. */
export interface LinkLoss {
  kind: TransportKind;
  /** When the connection opened; undefined for a connect that never did. */
  openedAt: number | undefined;
  cause: LossCause;
  /** What the transport or the engine said; shown in the error. */
  reason: string;
  now: number;
  /** Reconnect attempts since the last progress (the backoff exponent). */
  attempt: number;
}

/** What follows the loss of a connection. A reconnect always does, after `backoffDelay(attempt)`. */
export interface LossVerdict {
  /** The backoff attempt for the reconnect (the caller counts on from it). */
  attempt: number;
  /**
   * A WebSocket failure that may count towards the HTTP fallback, once an HTTP request to the same
   * server has said whether HTTP works (see transport-policy.ts). Only failures of the socket itself
   * (not connections the engine gave up), and nothing for HTTP connections.
   */
  wsFailure: { now: number; openedAt: number | undefined } | undefined;
  /** The error to show; only for failures of the connection itself, not for connections the engine gave up. */
  error: Failure<'ack_timeout' | 'connection'> | undefined;
}

/**
 * Decides what a lost connection means: whether it may count against the WebSocket, whether the
 * backoff starts over, and what error to show.
 */
export function onLinkLost(loss: LinkLoss): LossVerdict {
  const { kind, openedAt, cause, now } = loss;
  // A connection that lived a while was healthy: this failure starts a new series.
  const attempt = openedAt !== undefined && now - openedAt >= STABLE_CONNECTION_MS ? 0 : loss.attempt;
  const failed = cause === 'transport' || cause === 'ack_timeout';
  const error = failed
    ? {
        code: cause === 'ack_timeout' ? ('ack_timeout' as const) : ('connection' as const),
        message: `${kind}: ${loss.reason}`,
      }
    : undefined;
  const wsFailure = kind === 'ws' && failed ? { now, openedAt } : undefined;
  return { attempt, wsFailure, error };
}
