/** Bounds of the exponential backoff. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay; doubles with every further attempt. */
  baseMs: number;
  /** No delay ever exceeds this. */
  maxMs: number;
}

/**
 * 1 s base: a dropped socket usually comes back at once, so the first retry should be quick.
 * 5 min cap: a worker offline for an hour still reconnects within 5 min of the network returning
 * even if nobody calls `kick('online')`, and a fleet of clients never hammers a recovering server.
 */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000 };

/**
 * Delay before retry number `attempt` (0 for the first retry): "full jitter", a uniform draw in
 * `[0, min(maxMs, baseMs * 2^attempt))`. Full jitter spreads clients that failed together (a server
 * restart) across the whole window instead of letting them retry in lockstep.
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  // 2^30 already dwarfs any sane cap; clamping the exponent keeps the arithmetic finite.
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.floor(random() * ceiling);
}

/**
 * {@link backoffDelay}, but never shorter than `waitMs`, the wait a server asked for (a rate limit's
 * `retryAfterMs`), and never longer than `maxMs` whatever it asked: a wrong or hostile answer cannot
 * park the engine for longer than its own worst backoff.
 */
export function serverPacedDelay(
  attempt: number,
  waitMs: number,
  random: () => number,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const asked = Number.isFinite(waitMs) ? Math.min(Math.max(waitMs, 0), options.maxMs) : 0;
  return Math.max(backoffDelay(attempt, random, options), asked);
}
