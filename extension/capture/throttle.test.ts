import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDwellTimer, createKeyedThrottle, createSettleDebouncer } from './throttle';
import { systemClock } from '@codesight/schema';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createKeyedThrottle', () => {
  function setup(intervalMs = 200) {
    const emitted: [string, number, number][] = [];
    const throttle = createKeyedThrottle<string, number>({
      intervalMs,
      clock: systemClock,
      emit: (key, value) => emitted.push([key, value, Date.now() - 1_000_000]),
    });
    return { throttle, emitted };
  }

  it('emits the first value at once and the last value of a burst at the end of the interval', () => {
    const { throttle, emitted } = setup();
    for (let i = 1; i <= 10; i++) {
      throttle.push('window', i);
      vi.advanceTimersByTime(30);
    }
    // Leading at 0; the burst spans 0..270 ms: one trailing emission per interval boundary, ending on 10.
    vi.advanceTimersByTime(1_000);
    expect(emitted[0]).toEqual(['window', 1, 0]);
    expect(emitted.at(-1)![1]).toBe(10);
    expect(emitted.map((e) => e[2])).toEqual([0, 200, 400]);
    expect(emitted.length).toBe(3);
  });

  it('never emits one key more often than once per interval', () => {
    const { throttle, emitted } = setup(100);
    for (let t = 0; t < 2_000; t += 7) {
      throttle.push('a', t);
      vi.advanceTimersByTime(7);
    }
    vi.advanceTimersByTime(500);
    const times = emitted.map((e) => e[2]);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(100);
    expect(emitted.at(-1)![1]).toBe(1_995);
  });

  it('keeps separate timelines per key', () => {
    const { throttle, emitted } = setup();
    throttle.push('a', 1);
    throttle.push('b', 1);
    throttle.push('a', 2);
    expect(emitted.map((e) => e.slice(0, 2))).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    vi.advanceTimersByTime(200);
    expect(emitted.map((e) => e.slice(0, 2))).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 2],
    ]);
  });

  it('emits leading again after a quiet interval', () => {
    const { throttle, emitted } = setup();
    throttle.push('a', 1);
    vi.advanceTimersByTime(500);
    throttle.push('a', 2);
    expect(emitted.map((e) => e[1])).toEqual([1, 2]);
  });

  it('flush emits pending trailing values now, once', () => {
    const { throttle, emitted } = setup();
    throttle.push('a', 1);
    throttle.push('a', 2);
    throttle.push('a', 3);
    throttle.flush();
    expect(emitted.map((e) => e[1])).toEqual([1, 3]);
    vi.advanceTimersByTime(1_000);
    expect(emitted.map((e) => e[1])).toEqual([1, 3]);
  });

  it('cancel drops pending values', () => {
    const { throttle, emitted } = setup();
    throttle.push('a', 1);
    throttle.push('a', 2);
    throttle.cancel();
    vi.advanceTimersByTime(1_000);
    expect(emitted.map((e) => e[1])).toEqual([1]);
  });

  it('works with a hand-written clock', () => {
    let now = 0;
    const timers: { at: number; fn: () => void }[] = [];
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => timers.push({ at: now + ms, fn }),
      clearTimeout: () => {},
    };
    const out: number[] = [];
    const throttle = createKeyedThrottle<string, number>({ intervalMs: 100, clock, emit: (_, v) => out.push(v) });
    throttle.push('k', 1);
    now = 10;
    throttle.push('k', 2);
    expect(timers).toHaveLength(1);
    expect(timers[0]!.at).toBe(100);
    now = 100;
    timers[0]!.fn();
    expect(out).toEqual([1, 2]);
  });
});

describe('createDwellTimer', () => {
  function setup(dwellMs = 1_000) {
    const fired: [string, { x: number }, number][] = [];
    const dwell = createDwellTimer<string, { x: number }>({
      dwellMs,
      onDwell: (key, data, ms) => fired.push([key, data, ms]),
    });
    return { dwell, fired };
  }

  it('fires once the pointer rested long enough, with the latest data and the real dwell', () => {
    const { dwell, fired } = setup();
    dwell.enter('buy', { x: 1 });
    vi.advanceTimersByTime(600);
    dwell.enter('buy', { x: 5 });
    vi.advanceTimersByTime(399);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([['buy', { x: 5 }, 1_000]]);
  });

  it('fires once per dwell: staying longer or re-entering the same key does not repeat it', () => {
    const { dwell, fired } = setup();
    dwell.enter('buy', { x: 1 });
    vi.advanceTimersByTime(5_000);
    dwell.enter('buy', { x: 2 });
    vi.advanceTimersByTime(5_000);
    expect(fired).toHaveLength(1);
    dwell.leave();
    dwell.enter('buy', { x: 3 });
    vi.advanceTimersByTime(1_000);
    expect(fired).toHaveLength(2);
  });

  it('does not fire when the pointer leaves or moves on early', () => {
    const { dwell, fired } = setup();
    dwell.enter('a', { x: 1 });
    vi.advanceTimersByTime(900);
    dwell.enter('b', { x: 2 });
    vi.advanceTimersByTime(900);
    dwell.leave();
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([]);
  });

  it('suppress (a click) ends the dwell until the pointer moves to something else', () => {
    const { dwell, fired } = setup();
    dwell.enter('a', { x: 1 });
    vi.advanceTimersByTime(500);
    dwell.suppress();
    dwell.enter('a', { x: 1 });
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([]);
    dwell.enter('b', { x: 1 });
    vi.advanceTimersByTime(1_000);
    expect(fired.map((f) => f[0])).toEqual(['b']);
  });
});

describe('createSettleDebouncer', () => {
  function setup(settleMs = 800) {
    const emitted: [string, string, number][] = [];
    const settle = createSettleDebouncer<string, string>({
      settleMs,
      emit: (key, value) => emitted.push([key, value, Date.now() - 1_000_000]),
    });
    return { settle, emitted };
  }

  it('emits only the settled value, settleMs after the last keystroke', () => {
    const { settle, emitted } = setup();
    for (const [i, value] of ['b', 'bl', 'blu', 'blue'].entries()) {
      settle.push('q', value);
      vi.advanceTimersByTime(i === 3 ? 0 : 300);
    }
    vi.advanceTimersByTime(799);
    expect(emitted).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(emitted).toEqual([['q', 'blue', 1_700]]);
  });

  it('flushKey emits one field at once (blur) and leaves the others pending', () => {
    const { settle, emitted } = setup();
    settle.push('a', 'x');
    settle.push('b', 'y');
    settle.flushKey('a');
    expect(emitted.map((e) => e[0])).toEqual(['a']);
    expect(settle.isPending('b')).toBe(true);
    settle.flushKey('a');
    expect(emitted).toHaveLength(1);
    vi.advanceTimersByTime(800);
    expect(emitted.map((e) => e[0])).toEqual(['a', 'b']);
  });

  it('flush emits every pending value in the order typing started, and nothing later', () => {
    const { settle, emitted } = setup();
    settle.push('first', '1');
    settle.push('second', '2');
    settle.push('first', '11');
    expect(settle.pendingKeys()).toEqual(['first', 'second']);
    settle.flush();
    expect(emitted.map((e) => e.slice(0, 2))).toEqual([
      ['first', '11'],
      ['second', '2'],
    ]);
    vi.advanceTimersByTime(5_000);
    expect(emitted).toHaveLength(2);
  });

  it('cancel drops pending values', () => {
    const { settle, emitted } = setup();
    settle.push('a', 'x');
    settle.cancel();
    vi.advanceTimersByTime(5_000);
    expect(emitted).toEqual([]);
  });
});
