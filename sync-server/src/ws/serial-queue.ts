/**
 * Runs tasks one after another in arrival order. One per connection: a socket's messages are handled
 * in order, so its acks go back in order, even though each handler awaits the database.
 */
export interface SerialQueue {
  /** Appends a task; it starts once every earlier task settled. A task that throws does not stop the queue. */
  push(task: () => Promise<void>): void;
  /** Tasks queued or running. */
  readonly pending: number;
  /** Resolves when everything queued so far has settled. */
  idle(): Promise<void>;
}

/** Creates an empty {@link SerialQueue}; `onError` receives whatever a task threw. */
export function createSerialQueue(onError: (err: unknown) => void): SerialQueue {
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
        }
      });
    },
    get pending() {
      return pending;
    },
    idle: () => tail,
  };
}
