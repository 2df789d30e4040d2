import { describe, expect, it } from 'vitest';
import { afterFailure, CLEARED, lockDurationMs, lockedForMs, type LockoutPolicy, type LockoutState } from './lockout';

const MIN = 60_000;
const policy: LockoutPolicy = { threshold: 5, baseMs: 15 * MIN, maxMs: 24 * 60 * MIN };

describe('lock-out arithmetic', () => {
  it.each([
    [1, 0],
    [4, 0],
    [5, 15 * MIN],
    [6, 0],
    [10, 30 * MIN],
    [15, 60 * MIN],
    [35, 16 * 60 * MIN],
    [40, 24 * 60 * MIN],
    [5000, 24 * 60 * MIN],
  ])('failure number %i locks for %i ms', (failures, ms) => {
    expect(lockDurationMs(failures, policy)).toBe(ms);
  });

  it('password guessing: five wrong passwords lock for 15 minutes, on a fake clock', () => {
    let now = 1_000_000;
    let state: LockoutState = CLEARED;
    for (let i = 0; i < 4; i++) {
      state = afterFailure(state, policy, now);
      expect(lockedForMs(state, now)).toBe(0);
      now += 1000;
    }
    state = afterFailure(state, policy, now);
    expect(lockedForMs(state, now)).toBe(15 * MIN);
    now += 15 * MIN - 1;
    expect(lockedForMs(state, now)).toBe(1);
    now += 1;
    expect(lockedForMs(state, now)).toBe(0);
    // The count goes on after the lock: five more lock for twice as long.
    for (let i = 0; i < 4; i++) state = afterFailure(state, policy, now);
    expect(lockedForMs(state, now)).toBe(0);
    state = afterFailure(state, policy, now);
    expect(lockedForMs(state, now)).toBe(30 * MIN);
  });

  it('a failure that does not lock keeps an earlier lock', () => {
    const locked: LockoutState = { failedAttempts: 5, lockedUntil: 2000 };
    expect(afterFailure(locked, policy, 1000)).toEqual({ failedAttempts: 6, lockedUntil: 2000 });
  });
});
