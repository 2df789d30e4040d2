import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock';

describe('FakeClock', () => {
  it('fires due timers in time order, then creation order, at their own time', async () => {
    const clock = new FakeClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 5);
    clock.clearTimeout(cancelled);
    await clock.advance(15);
    expect(fired).toEqual(['a@1010']);
    await clock.advance(100);
    expect(fired).toEqual(['a@1010', 'b@1020', 'c@1020']);
    expect(clock.now()).toBe(1_115);
  });

  it('lets promise chains run between timers, and timers set by timers fire in the same advance', async () => {
    const clock = new FakeClock(0);
    const log: number[] = [];
    clock.setTimeout(() => {
      void Promise.resolve().then(() => {
        log.push(clock.now());
        clock.setTimeout(() => log.push(clock.now()), 10);
      });
    }, 10);
    await clock.advance(25);
    expect(log).toEqual([10, 20]);
  });

  it('a disposed scope never fires (a killed process)', async () => {
    const clock = new FakeClock(0);
    const scope = clock.scope();
    const fired: string[] = [];
    scope.setTimeout(() => fired.push('scoped'), 10);
    clock.setTimeout(() => fired.push('global'), 10);
    scope.dispose();
    await clock.advance(20);
    expect(fired).toEqual(['global']);
  });

  it('advanceUntil stops when the condition holds or the budget is spent', async () => {
    const clock = new FakeClock(0);
    let done = false;
    clock.setTimeout(() => (done = true), 3_500);
    expect(await clock.advanceUntil(() => done, 10_000)).toBe(true);
    expect(clock.now()).toBe(4_000);
    expect(await clock.advanceUntil(() => false, 2_000)).toBe(false);
    expect(clock.now()).toBe(6_000);
  });
});
