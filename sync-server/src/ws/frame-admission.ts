import { err, ok, type Failure, type Result } from '@codesight/schema';
import { wholeSecondsOf } from '../http/rate-limiter';

/**
 * After this many refused messages in a row (no accepted one in between) the client is not slowing
 * down: close instead of answering every frame. At the default limit that is several seconds of flood.
 */
export const RATE_LIMIT_STRIKES_BEFORE_CLOSE = 100;

/**
 * Bound on bytes received but not yet handled on one socket. Handlers await the database, so a client
 * that sends faster than the database writes would otherwise grow the queue without limit.
 */
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/**
 * What is known about a frame when it arrives on an authenticated connection that still accepts frames
 * (before authentication, authentication.ts decides: {@link admitBeforeAuth}).
 */
export interface FrameArrival {
  /** The principal's rate-limit bucket (its worker's, or its admin subject's) had a token for it. */
  withinRateLimit: boolean;
  /** When it had none: ms until it has one again. */
  retryAfterMs: number;
  /** Rate-limited frames in a row, this one included. */
  strikes: number;
  /** Bytes received on the connection and not yet handled. */
  queuedBytes: number;
  /** This frame's size as received. */
  bytes: number;
}

/** Why a frame is not queued: answer `error` in its place (clients match it by position); close 1008 when `close`. */
export interface FrameRejection {
  kind: 'answer_in_place';
  error: Failure<'rate_limited'>;
  /** Sent with the answer when known, so the client waits that long instead of guessing. */
  retryAfterMs: number | undefined;
  close: boolean;
}

/** Decides whether an arriving frame is queued (ok) or rejected, and how. */
export function admitFrame(arrival: FrameArrival): Result<undefined, FrameRejection> {
  if (!arrival.withinRateLimit) {
    return err({
      kind: 'answer_in_place',
      error: {
        code: 'rate_limited',
        message: `rate limit exceeded: resend this message in ${wholeSecondsOf(arrival.retryAfterMs)} s`,
      },
      retryAfterMs: arrival.retryAfterMs,
      close: arrival.strikes >= RATE_LIMIT_STRIKES_BEFORE_CLOSE,
    });
  }
  if (arrival.queuedBytes + arrival.bytes > MAX_QUEUED_BYTES) {
    return err({
      kind: 'answer_in_place',
      error: {
        code: 'rate_limited',
        message: 'too much data in flight on this connection: wait for acks, then resend',
      },
      retryAfterMs: undefined,
      close: false,
    });
  }
  return ok();
}
