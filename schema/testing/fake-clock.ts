import type { Clock, TimerHandle } from '@codesight/schema';

interface Timer {
  at: number;
  /** Creation order: timers due at the same instant fire in the order they were set. */
  order: number;
  callback: () => void;
  scope: number;
}

/** Lets every pending promise callback run (the memory store and the engine queue are promise chains). */
const flushPromises = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A manual clock for tests. Time only moves through {@link FakeClock.advance}, which fires due timers in
 * order and lets promise chains settle after each one, so asynchronous code runs as if time had passed.
 */
export class FakeClock implements Clock {
  private time: number;
  private nextOrder = 1;
  private nextScope = 1;
  private readonly timers = new Map<number, Timer>();

  constructor(startTime = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.time = startTime;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    return this.schedule(callback, ms, 0);
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Number of timers waiting to fire. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * A view of this clock whose timers can all be cancelled at once: simulates a process (the extension's
   * service worker) being killed — its callbacks simply never run.
   */
  scope(): Clock & { dispose(): void } {
    const scope = this.nextScope++;
    return {
      now: () => this.time,
      setTimeout: (callback, ms) => this.schedule(callback, ms, scope),
      clearTimeout: (handle) => this.clearTimeout(handle),
      dispose: () => {
        for (const [id, timer] of this.timers) if (timer.scope === scope) this.timers.delete(id);
      },
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.time + Math.max(0, ms);
    await flushPromises();
    for (;;) {
      const due = this.earliest(end);
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].callback();
      await flushPromises();
    }
    this.time = end;
    await flushPromises();
  }

  /**
   * Advances in `stepMs` steps until `done()` holds; returns false if `maxMs` of fake time passed first.
   */
  async advanceUntil(done: () => boolean, maxMs: number, stepMs = 1_000): Promise<boolean> {
    const end = this.time + maxMs;
    while (!done()) {
      if (this.time >= end) return false;
      await this.advance(Math.min(stepMs, end - this.time));
    }
    return true;
  }

  private schedule(callback: () => void, ms: number, scope: number): number {
    const id = this.nextOrder++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), order: id, callback, scope });
    return id;
  }

  private earliest(limit: number): [number, Timer] | undefined {
    let best: [number, Timer] | undefined;
    for (const entry of this.timers) {
      const t = entry[1];
      if (t.at > limit) continue;
      if (!best || t.at < best[1].at || (t.at === best[1].at && t.order < best[1].order)) best = entry;
    }
    return best;
  }
}
