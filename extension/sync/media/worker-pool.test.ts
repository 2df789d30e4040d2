import { describe, expect, it } from 'vitest';
import { runWorkerPool } from './worker-pool';

/** A unit of work the test finishes by hand. */
function controlledWork() {
  const running = new Map<number, () => void>();
  const started: number[] = [];
  let most = 0;
  const work = (item: number) =>
    new Promise<void>((resolve) => {
      started.push(item);
      running.set(item, resolve);
      most = Math.max(most, running.size);
    }).then(() => {
      running.delete(item);
    });
  const finish = async (item: number) => {
    running.get(item)!();
    // Lets the worker pick its next item (a macrotask: every promise callback before it has run).
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { work, finish, started, running, most: () => most };
}

describe('runWorkerPool', () => {
  it('keeps `concurrency` items going, in order, and no more', async () => {
    const w = controlledWork();
    let count: number | undefined;
    void runWorkerPool([1, 2, 3, 4, 5], 2, w.work, () => false).then((n) => (count = n));
    expect(w.started).toEqual([1, 2]);
    await w.finish(2);
    expect(w.started).toEqual([1, 2, 3]);
    await w.finish(1);
    await w.finish(3);
    await w.finish(4);
    expect(w.started).toEqual([1, 2, 3, 4, 5]);
    expect(count).toBeUndefined();
    await w.finish(5);
    expect(count).toBe(5);
    expect(w.most()).toBe(2);
  });

  it('starts nothing new once told to stop, and lets started work finish', async () => {
    const w = controlledWork();
    let stop = false;
    let count: number | undefined;
    void runWorkerPool([1, 2, 3, 4], 2, w.work, () => stop).then((n) => (count = n));
    stop = true;
    await w.finish(1);
    expect(w.started).toEqual([1, 2]);
    expect(count).toBeUndefined();
    await w.finish(2);
    expect(count).toBe(2);
  });

  it.each([
    [0, 1],
    [1, 1],
    [3, 3],
    [10, 3],
  ])('with concurrency %i runs %i at once over 3 items', (concurrency, expected) => {
    const w = controlledWork();
    void runWorkerPool([1, 2, 3], concurrency, w.work, () => false);
    expect(w.running.size).toBe(expected);
  });

  it('resolves at once for no items', async () => {
    expect(
      await runWorkerPool(
        [],
        2,
        () => Promise.reject(new Error('not called')),
        () => false,
      ),
    ).toBe(0);
  });
});
