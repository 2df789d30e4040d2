import type { Clock, TimerHandle } from '@codesight/schema';
import { nextRun, onKick, onRunRequest, type MediaKickReason, type SchedulePolicy } from './schedule-policy';
import { emptyRunResult, type MediaRunResult } from './upload-run';

/** What the scheduler drives. */
export interface UploadSchedulerOptions {
  clock: Clock;
  policy: SchedulePolicy;
  /** Queues a run (serialized with every other run); resolves to its result. */
  run: () => Promise<MediaRunResult>;
  /** The next attempt after a failure is at `retryAt`; `undefined`: no longer backing off. */
  onRetryAt: (retryAt: number | undefined) => void;
}

/** The timers of the media uploader: when runs happen. */
export interface UploadScheduler {
  /** Runs now, then after every failure (with backoff), every poll interval and every kick. Idempotent. */
  start(): void;
  /** Cancels the timer; kicks are then ignored. A run under way is the caller's to await. */
  stop(): void;
  kick(reason: MediaKickReason): void;
  /** Forgets failures and runs at once (the browser is back online, the worker released quarantines). */
  runNow(): void;
}

/** Creates the scheduler; the decisions are in `schedule-policy.ts`, this holds the state and the timer. */
export function createUploadScheduler(options: UploadSchedulerOptions): UploadScheduler {
  const { clock, policy } = options;
  /** Consecutive failed runs: the backoff exponent. */
  let failures = 0;
  let started = false;
  let stopped = false;
  let timer: { handle: TimerHandle; at: number } | undefined;
  let runUnderWay = false;
  /** A kick arrived while a scheduled run was under way: run again right after it. */
  let rerun = false;
  const active = () => started && !stopped;

  const clearTimer = () => {
    if (timer !== undefined) clock.clearTimeout(timer.handle);
    timer = undefined;
  };

  const forgetFailures = () => {
    failures = 0;
    options.onRetryAt(undefined);
  };

  /** (Re)schedules the next run in `ms`, unless one is due sooner or already under way. */
  const schedule = (ms: number) => {
    const action = onRunRequest(ms, clock.now(), { active: active(), runUnderWay, timerAt: timer?.at });
    if (action.kind === 'after-current') rerun ||= action.rerun;
    if (action.kind !== 'set') return;
    clearTimer();
    const handle = clock.setTimeout(() => {
      timer = undefined;
      runUnderWay = true;
      void options
        .run()
        .catch((error: unknown): MediaRunResult => ({
          // run() catches what it expects; this keeps the schedule alive through a bug.
          ...emptyRunResult(),
          error: { code: 'internal', message: (error as Error).message, at: clock.now() },
        }))
        .then((result) => {
          runUnderWay = false;
          afterScheduledRun(result);
        });
    }, ms);
    timer = { handle, at: action.at };
  };

  const afterScheduledRun = (result: MediaRunResult) => {
    const kicked = rerun;
    rerun = false;
    if (stopped) return;
    const next = nextRun(result.error !== undefined, failures, kicked, policy);
    if (next.kind === 'back-off') {
      failures = next.failures;
      // A backoff overrides a sooner poll or kick.
      clearTimer();
      options.onRetryAt(clock.now() + next.delayMs);
    } else {
      forgetFailures();
    }
    schedule(next.delayMs);
  };

  const runNow = () => {
    if (!active()) return;
    forgetFailures();
    clearTimer();
    schedule(0);
  };

  return {
    start() {
      if (started || stopped) return;
      started = true;
      schedule(0);
    },
    stop() {
      stopped = true;
      clearTimer();
    },
    kick(reason) {
      const action = onKick(reason, { active: active(), failures });
      if (action.kind === 'ignore') return;
      if (action.forgetFailures) runNow();
      else schedule(0);
    },
    runNow,
  };
}
