import { describe, expect, it } from 'vitest';
import { TimerSet } from './timer-set';
import { FakeClock } from '@codesight/schema/testing';

describe('TimerSet', () => {
  it('runs a due task through `run`, replaces a timer set again under the same name, and clears', async () => {
    const clock = new FakeClock(0);
    const ran: string[] = [];
    const timers = new TimerSet<'a' | 'b'>(clock, (task) => {
      ran.push('via run');
      void task();
    });
    timers.set('a', 100, () => void ran.push(`a@${clock.now()}`));
    timers.set('a', 50, () => void ran.push(`a'@${clock.now()}`));
    timers.set('b', 10, () => void ran.push('b'));
    timers.clear('b');
    expect(timers.has('a')).toBe(true);
    await clock.advance(200);
    expect(ran).toEqual(['via run', "a'@50"]);
    expect(timers.has('a')).toBe(false);
    timers.set('a', 10, () => void ran.push('late'));
    timers.clearAll();
    await clock.advance(100);
    expect(ran).toHaveLength(2);
  });
});
