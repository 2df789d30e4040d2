import { describe, expect, it } from 'vitest';
import { createSerialQueue } from './serial-queue';

/** A promise the test settles by hand, so a task stays "slow" exactly until the test says otherwise. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('serial queue', () => {
  it('runs tasks in order even when earlier ones are slower', async () => {
    const errors: unknown[] = [];
    const q = createSerialQueue((e) => errors.push(e));
    const done: number[] = [];
    const first = gate();
    const third = gate();
    q.push(async () => {
      await first.wait;
      done.push(1);
    });
    q.push(() => {
      done.push(2);
    });
    q.push(async () => {
      await third.wait;
      done.push(3);
    });
    expect(q.pending).toBe(3);
    // The third task is released before the first: order must still be 1, 2, 3.
    third.open();
    await Promise.resolve();
    expect(done).toEqual([]);
    first.open();
    await q.idle();
    expect(done).toEqual([1, 2, 3]);
    expect(q.pending).toBe(0);
    expect(errors).toEqual([]);
  });

  it('keeps going after a task throws and reports the error', async () => {
    const errors: unknown[] = [];
    const q = createSerialQueue((e) => errors.push(e));
    const done: string[] = [];
    q.push(() => {
      throw new Error('boom');
    });
    q.push(() => {
      done.push('after');
    });
    await q.idle();
    expect(done).toEqual(['after']);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('reports each time it drains, not between queued tasks', async () => {
    let drained = 0;
    const q = createSerialQueue(
      () => {},
      () => drained++,
    );
    const slow = gate();
    q.push(() => slow.wait);
    let seenBySecond = -1;
    q.push(() => {
      seenBySecond = drained;
    });
    slow.open();
    await q.idle();
    expect(seenBySecond).toBe(0);
    expect(drained).toBe(1);
    q.push(() => {});
    await q.idle();
    expect(drained).toBe(2);
  });
});
