import type { Clock, TimerHandle } from '@codesight/schema';

/** A task {@link repeatEvery} runs; {@link RepeatingTask.stop} ends it. */
export interface RepeatingTask {
  /** Cancels the next run, and resolves once a run in progress (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Lets the process exit while `handle` is pending: Node's timers have `unref()`, so a background timer
 * (heartbeat, sweep, auth deadline) never keeps a server that is otherwise done alive. Handles of other
 * clocks (a test's fake clock) have none and are left as they are.
 */
export function unrefTimer(handle: TimerHandle): void {
  (handle as { unref?: () => void } | null)?.unref?.();
}

/**
 * Runs `task` every `intervalMs` on `clock`, first after one interval, like `setInterval`. A run still in
 * progress when the next is due makes that turn a no-op (a slow database does not pile sweeps up). `task`
 * handles its own errors: it must not reject.
 */
export function repeatEvery(clock: Clock, intervalMs: number, task: () => void | Promise<void>): RepeatingTask {
  let running: Promise<void> | undefined;
  let stopped = false;
  let handle: TimerHandle;
  const arm = () => {
    handle = clock.setTimeout(tick, intervalMs);
    unrefTimer(handle);
  };
  const tick = () => {
    if (stopped) return;
    arm();
    if (running) return;
    running = (async () => {
      try {
        await task();
      } finally {
        running = undefined;
      }
    })();
  };
  arm();
  return {
    async stop() {
      stopped = true;
      clock.clearTimeout(handle);
      await running;
    },
  };
}

/**
 * Waits for `work`, but at most `ms` on `clock`: true when it settled in time, false when the time ran
 * out first (the work goes on; nobody waits for it). A rejection of `work` in time is thrown.
 */
export async function waitAtMost(clock: Clock, ms: number, work: Promise<unknown>): Promise<boolean> {
  let handle: TimerHandle;
  const deadline = new Promise<false>((resolve) => {
    handle = clock.setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), deadline]);
  } finally {
    clock.clearTimeout(handle);
  }
}
