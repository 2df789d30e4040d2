/**
 * Runs `work` over `items` in order, at most `concurrency` at a time. Once `shouldStop()` holds no new
 * item is started; those under way finish. Resolves, when all started work is done, to how many items
 * were started (the rest were not touched).
 */
export async function runWorkerPool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  shouldStop: () => boolean,
): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (!shouldStop() && next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, worker));
  return next;
}
