import { describe, expect, it } from 'vitest';
import { repeatEvery, unrefTimer, waitAtMost } from './timers';
import { FakeClock } from '@codesight/schema/testing';

describe('repeatEvery', () => {
  it('runs after each interval, skips a turn while a run is in progress, and stop() waits for it', async () => {
    const clock = new FakeClock();
    let runs = 0;
    let finishRun: () => void = () => {};
    const repeating = repeatEvery(clock, 1000, async () => {
      runs++;
      await new Promise<void>((resolve) => (finishRun = resolve));
    });
    await clock.advance(999);
    expect(runs).toBe(0);
    await clock.advance(1);
    expect(runs).toBe(1);
    await clock.advance(3000); // the first run is still going: these turns are skipped
    expect(runs).toBe(1);
    finishRun();
    await clock.advance(1000);
    expect(runs).toBe(2);
    let stopped = false;
    const stopping = repeating.stop().then(() => (stopped = true));
    await clock.advance(0);
    expect(stopped).toBe(false);
    finishRun();
    await stopping;
    await clock.advance(5000);
    expect(runs).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('waitAtMost', () => {
  it('is true when the work settles in time, false when the time runs out, and rethrows a failure', async () => {
    const clock = new FakeClock();
    expect(await waitAtMost(clock, 100, Promise.resolve())).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    const late = waitAtMost(clock, 100, new Promise(() => {}));
    await clock.advance(100);
    expect(await late).toBe(false);
    await expect(waitAtMost(clock, 100, Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('unrefTimer', () => {
  it('unrefs a Node timer and leaves other handles alone', () => {
    const timer = setTimeout(() => {}, 1000);
    unrefTimer(timer);
    expect(timer.hasRef()).toBe(false);
    clearTimeout(timer);
    expect(() => unrefTimer(7)).not.toThrow();
  });
});
