/**
 * Lock-out arithmetic of admin sign-in, pure so it is tested on a fake clock. Failures are counted
 * since the last successful sign-in; every `threshold`-th one locks the account, for `baseMs` the first
 * time and twice as long each time after, up to `maxMs`: 5 failures lock 15 min, 10 lock 30 min, 15 an
 * hour. A guesser thus gets `threshold` tries per lock and fewer per day the longer it keeps going.
 */

/** The lock-out policy (from settings). */
export interface LockoutPolicy {
  /** Failures that lock the account (every multiple of it locks again). */
  threshold: number;
  /** Length of the first lock. */
  baseMs: number;
  /** Longest lock. */
  maxMs: number;
}

/** What an account (or an unknown user name) has on record. */
export interface LockoutState {
  failedAttempts: number;
  /** Epoch ms; null when never locked. */
  lockedUntil: number | null;
}

/** Milliseconds until `state` may try again at `now`; 0 when not locked. */
export function lockedForMs(state: LockoutState, now: number): number {
  return state.lockedUntil === null ? 0 : Math.max(0, state.lockedUntil - now);
}

/** How long the lock set by the `failedAttempts`-th failure lasts; 0 when that failure does not lock. */
export function lockDurationMs(failedAttempts: number, policy: LockoutPolicy): number {
  if (failedAttempts <= 0 || failedAttempts % policy.threshold !== 0) return 0;
  const locksSoFar = failedAttempts / policy.threshold;
  // Doubling stops mattering once past maxMs; the cap on the exponent keeps 2 ** n finite.
  const doubled = policy.baseMs * 2 ** Math.min(locksSoFar - 1, 40);
  return Math.min(doubled, policy.maxMs);
}

/** The state after one more failure at `now` (a failure while locked is not counted: it was not tried). */
export function afterFailure(state: LockoutState, policy: LockoutPolicy, now: number): LockoutState {
  const failedAttempts = state.failedAttempts + 1;
  const lock = lockDurationMs(failedAttempts, policy);
  return { failedAttempts, lockedUntil: lock > 0 ? now + lock : state.lockedUntil };
}

/** The state after a successful sign-in. */
export const CLEARED: LockoutState = { failedAttempts: 0, lockedUntil: null };
