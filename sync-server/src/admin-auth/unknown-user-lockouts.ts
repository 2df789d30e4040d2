import { afterFailure, type LockoutPolicy, type LockoutState } from './lockout';

/**
 * Lock-out of user names that have no account, kept in memory. Without it the 429 after five guesses
 * would only ever be answered for real accounts, telling a guesser which names exist. Per instance and
 * bounded: at most `maxNames` names, the longest-unused dropped first (a flood of invented names costs
 * memory, not correctness: a dropped name just starts counting again).
 */
export interface UnknownUserLockouts {
  stateOf(username: string): LockoutState;
  fail(username: string, now: number): LockoutState;
}

/** Creates the in-memory lock-out of unknown user names. */
export function createUnknownUserLockouts(policy: LockoutPolicy, maxNames: number): UnknownUserLockouts {
  const states = new Map<string, LockoutState>();
  return {
    stateOf: (username) => states.get(username) ?? { failedAttempts: 0, lockedUntil: null },
    fail(username, now) {
      const next = afterFailure(states.get(username) ?? { failedAttempts: 0, lockedUntil: null }, policy, now);
      // Re-inserting moves the name to the end: the map's first key is the longest unused.
      states.delete(username);
      states.set(username, next);
      if (states.size > maxNames) states.delete(states.keys().next().value!);
      return next;
    },
  };
}
