import { backoffDelay, type BackoffOptions } from '../engine/backoff';

/** Why the uploader is asked to hurry. */
export type MediaKickReason =
  /** The sync engine acked events (more media may be eligible) or the recorder stored media: respects a backoff. */
  | 'acked'
  /** The browser is back online: retry now, forgetting past failures. */
  | 'online';

/** The timing knobs of the schedule. */
export interface SchedulePolicy {
  backoff: BackoffOptions;
  pollIntervalMs: number;
  /** Backoff jitter. */
  random: () => number;
}

/** When to run next, after a scheduled run. */
export type NextRun =
  /** The run failed: wait `delayMs`, overriding any sooner poll or kick; `failures` is the new count. */
  | { kind: 'back-off'; delayMs: number; failures: number }
  /** The run succeeded: failures are forgotten; run again after `delayMs` (0 when a kick came during the run). */
  | { kind: 'again'; delayMs: number };

/**
 * Decides the next run after a scheduled one: after `failures` consecutive failed runs before it, a
 * failure backs off exponentially; a success polls, or runs at once if a kick arrived meanwhile.
 */
export function nextRun(failed: boolean, failures: number, kickedDuringRun: boolean, policy: SchedulePolicy): NextRun {
  if (failed)
    return { kind: 'back-off', delayMs: backoffDelay(failures, policy.random, policy.backoff), failures: failures + 1 };
  return { kind: 'again', delayMs: kickedDuringRun ? 0 : policy.pollIntervalMs };
}

/** What a kick does. */
export type KickAction =
  | { kind: 'ignore' }
  /** Run at once; `forgetFailures`: also drop the backoff (and its timer). */
  | { kind: 'run-now'; forgetFailures: boolean };

/**
 * Decides what a kick does: nothing before start or after stop; `online` forgets failures and runs; an
 * `acked` kick runs unless backing off (the point of a backoff is to leave a failing server alone).
 */
export function onKick(reason: MediaKickReason, state: { active: boolean; failures: number }): KickAction {
  if (!state.active) return { kind: 'ignore' };
  if (reason === 'online') return { kind: 'run-now', forgetFailures: true };
  if (state.failures > 0) return { kind: 'ignore' };
  return { kind: 'run-now', forgetFailures: false };
}

/** What a request to run at `at` does to the timer. */
export type TimerAction =
  | { kind: 'ignore' }
  /** A scheduled run is under way; `rerun`: run again right after it (the request was for "now"). */
  | { kind: 'after-current'; rerun: boolean }
  /** The timer set already fires no later. */
  | { kind: 'keep' }
  /** (Re)set the timer to fire at `at`. */
  | { kind: 'set'; at: number };

/**
 * Decides how a request for a run in `delayMs` (at `now`) meets the timer: a sooner timer stands, a
 * later one is replaced, and while a scheduled run is under way only a request for "now" counts.
 */
export function onRunRequest(
  delayMs: number,
  now: number,
  state: { active: boolean; runUnderWay: boolean; timerAt: number | undefined },
): TimerAction {
  if (!state.active) return { kind: 'ignore' };
  if (state.runUnderWay) return { kind: 'after-current', rerun: delayMs === 0 };
  const at = now + delayMs;
  if (state.timerAt !== undefined && state.timerAt <= at) return { kind: 'keep' };
  return { kind: 'set', at };
}
