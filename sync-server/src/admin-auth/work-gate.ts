/**
 * Bounds concurrent expensive work (password hashing: 32 MiB and ~170 ms of a libuv thread each): at
 * most `maxRunning` at once and `maxWaiting` queued; more is turned away at once instead of piling up.
 */
export interface WorkGate {
  /** Runs `work` when a slot is free; undefined (nothing run) when the queue is full. */
  run<T>(work: () => Promise<T>): Promise<T> | undefined;
}

/** Creates a {@link WorkGate}. */
export function createWorkGate(maxRunning: number, maxWaiting: number): WorkGate {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running -= 1;
    const next = waiting.shift();
    if (next) {
      running += 1;
      next();
    }
  };
  return {
    run(work) {
      if (running < maxRunning) {
        running += 1;
        return Promise.resolve().then(work).finally(release);
      }
      if (waiting.length >= maxWaiting) return undefined;
      return new Promise<void>((resolve) => waiting.push(resolve)).then(work).finally(release);
    },
  };
}
