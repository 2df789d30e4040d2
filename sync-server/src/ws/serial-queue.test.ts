import { describe, expect, it } from 'vitest';
import { createSerialQueue } from './serial-queue';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('serial queue', () => {
  it('runs tasks in order even when earlier ones are slower', async () => {
    const errors: unknown[] = [];
    const q = createSerialQueue((e) => errors.push(e));
    const done: number[] = [];
    q.push(async () => {
      await sleep(30);
      done.push(1);
    });
    q.push(() => {
      done.push(2);
    });
    q.push(async () => {
      await sleep(5);
      done.push(3);
    });
    expect(q.pending).toBe(3);
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
    q.push(async () => {
      await sleep(5);
    });
    let seenBySecond = -1;
    q.push(() => {
      seenBySecond = drained;
    });
    await q.idle();
    expect(seenBySecond).toBe(0);
    expect(drained).toBe(1);
    q.push(() => {});
    await q.idle();
    expect(drained).toBe(2);
  });
});
