/**
 * Runs tasks one after another in arrival order, even though each awaits the database. A connection
 * has one for its messages, and one per session for that session's batches (see connection.ts).
 */
export interface SerialQueue {
  /** Appends a task; it starts once every earlier task settled. A task that throws does not stop the queue. */
  push(task: () => void | Promise<void>): void;
  /** Tasks queued or running. */
  readonly pending: number;
  /** Resolves when everything queued so far has settled. */
  idle(): Promise<void>;
}

/**
 * Creates an empty {@link SerialQueue}; `onError` receives whatever a task threw, `onDrained` (optional)
 * runs each time the last queued task has settled.
 */
export function createSerialQueue(onError: (err: unknown) => void, onDrained?: () => void): SerialQueue {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  return {
    push(task) {
      pending++;
      tail = tail.then(async () => {
        try {
          await task();
        } catch (err) {
          onError(err);
        } finally {
          pending--;
          if (pending === 0) onDrained?.();
        }
      });
    },
    get pending() {
      return pending;
    },
    idle: () => tail,
  };
}
