import { describe, expect, it } from 'vitest';
import {
  nextRun,
  onKick,
  onRunRequest,
  type KickAction,
  type MediaKickReason,
  type NextRun,
  type SchedulePolicy,
  type TimerAction,
} from './schedule-policy';

// random() = 0.5: each backoff delay is half its ceiling (base 1 s, cap 8 s).
const policy: SchedulePolicy = { backoff: { baseMs: 1000, maxMs: 8000 }, pollIntervalMs: 60_000, random: () => 0.5 };

describe('nextRun', () => {
  it.each<[string, boolean, number, boolean, NextRun]>([
    ['first failure', true, 0, false, { kind: 'back-off', delayMs: 500, failures: 1 }],
    ['third failure doubles twice', true, 2, false, { kind: 'back-off', delayMs: 2000, failures: 3 }],
    ['a failure up to the cap', true, 9, false, { kind: 'back-off', delayMs: 4000, failures: 10 }],
    ['a failure ignores a kick during the run', true, 0, true, { kind: 'back-off', delayMs: 500, failures: 1 }],
    ['success: poll', false, 3, false, { kind: 'again', delayMs: 60_000 }],
    ['success after a kick during the run: at once', false, 0, true, { kind: 'again', delayMs: 0 }],
  ])('%s', (_name, failed, failures, kicked, expected) => {
    expect(nextRun(failed, failures, kicked, policy)).toEqual(expected);
  });
});

describe('onKick', () => {
  it.each<[MediaKickReason, boolean, number, KickAction]>([
    ['acked', false, 0, { kind: 'ignore' }],
    ['online', false, 3, { kind: 'ignore' }],
    ['acked', true, 0, { kind: 'run-now', forgetFailures: false }],
    ['acked', true, 2, { kind: 'ignore' }],
    ['online', true, 0, { kind: 'run-now', forgetFailures: true }],
    ['online', true, 2, { kind: 'run-now', forgetFailures: true }],
  ])('%s (active: %s, failures: %i)', (reason, active, failures, expected) => {
    expect(onKick(reason, { active, failures })).toEqual(expected);
  });
});

describe('onRunRequest', () => {
  const NOW = 1000;
  it.each<[string, number, { active: boolean; runUnderWay: boolean; timerAt: number | undefined }, TimerAction]>([
    ['not started or stopped', 0, { active: false, runUnderWay: false, timerAt: undefined }, { kind: 'ignore' }],
    ['no timer', 500, { active: true, runUnderWay: false, timerAt: undefined }, { kind: 'set', at: 1500 }],
    ['a sooner timer stands', 500, { active: true, runUnderWay: false, timerAt: 1200 }, { kind: 'keep' }],
    ['a timer due at the same time stands', 500, { active: true, runUnderWay: false, timerAt: 1500 }, { kind: 'keep' }],
    ['a later timer is replaced', 0, { active: true, runUnderWay: false, timerAt: 61_000 }, { kind: 'set', at: 1000 }],
    [
      'now, during a run: run again after it',
      0,
      { active: true, runUnderWay: true, timerAt: undefined },
      { kind: 'after-current', rerun: true },
    ],
    [
      'later, during a run: the run schedules its own follow-up',
      500,
      { active: true, runUnderWay: true, timerAt: undefined },
      { kind: 'after-current', rerun: false },
    ],
  ])('%s', (_name, delayMs, state, expected) => {
    expect(onRunRequest(delayMs, NOW, state)).toEqual(expected);
  });
});
