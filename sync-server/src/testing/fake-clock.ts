import type { Clock, TimerHandle } from '@codesight/schema';

interface Timer {
  at: number;
  callback: () => void;
}

/** Lets every pending promise callback run, so code awaiting a timer continues before the next one fires. */
const flushPromises = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A manual {@link Clock} for the server's tests: time moves only through {@link FakeClock.advance},
 * which fires due timers in order (creation order for the same instant). The same interface as the
 * extension's `extension/sync/testing/fake-clock.ts`, which the server may not import.
 */
export class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(startTime = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.time = startTime;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.time + Math.max(0, ms);
    await flushPromises();
    for (;;) {
      const due = this.earliest(end);
      if (due === undefined) break;
      const timer = this.timers.get(due)!;
      this.timers.delete(due);
      this.time = Math.max(this.time, timer.at);
      timer.callback();
      await flushPromises();
    }
    this.time = end;
    await flushPromises();
  }

  private earliest(limit: number): number | undefined {
    let best: number | undefined;
    for (const [id, timer] of this.timers) {
      if (timer.at > limit) continue;
      // Map order is creation order, so the first of equal instants wins.
      if (best === undefined || timer.at < this.timers.get(best)!.at) best = id;
    }
    return best;
  }
}
