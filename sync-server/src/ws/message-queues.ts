import { createSerialQueue, type SerialQueue } from './serial-queue';

/** Which queue a received frame goes through, decided by {@link routeFrame} (frame-route.ts). */
export type FrameRoute =
  /** A sync `batch`: its session's queue, so sessions are stored concurrently. */
  | { kind: 'batch'; sessionId: string }
  /** A `session_close`: the connection queue, after its session's batches received before it. */
  | { kind: 'session_close'; sessionId: string }
  /** An answer clients match by position (a refusal, an undecodable frame): after everything before it. */
  | { kind: 'behind_everything' }
  /** Everything else (legacy messages, `resume`, frames not decoded yet): the connection queue. */
  | { kind: 'in_order' };

/** A queued piece of work: handling one frame, or sending one reply. */
export type QueuedTask = () => void | Promise<void>;

/**
 * The ordering of one connection's replies. Sync `batch` messages go to one queue per session, so
 * two sessions' batches are stored at once (their acks may come back out of order across sessions:
 * the engine matches acks by batchId, and sends batches only after its `resume` was answered). Every
 * other message goes through the connection's queue in strict arrival order. Within a session arrival
 * order holds both ways: a `session_close` waits for its session's batches received before it, a batch
 * for its session's `session_close` received before it. An answer without batchId that clients match
 * by position waits for everything received before it.
 */
export interface MessageQueues {
  /** Queues `task` where `route` says. */
  push(route: FrameRoute, task: QueuedTask): void;
  /** Resolves once every queue is empty, including tasks queued while waiting (shutdown drains this way). */
  drain(): Promise<void>;
}

/** Creates the queues of one connection; `onTaskError` receives whatever a task threw. */
export function createMessageQueues(onTaskError: (err: unknown) => void): MessageQueues {
  const connectionQueue = createSerialQueue(onTaskError);
  const sessionQueues = new Map<string, SerialQueue>();
  /** Per session, the last queued `session_close` until it is answered: later batches of it wait. */
  const pendingCloses = new Map<string, Promise<void>>();

  const sessionQueue = (sessionId: string): SerialQueue => {
    let queue = sessionQueues.get(sessionId);
    if (queue === undefined) {
      const created = createSerialQueue(onTaskError, () => {
        // Forget drained queues, or a long connection would keep one per session it ever sent.
        if (sessionQueues.get(sessionId) === created) sessionQueues.delete(sessionId);
      });
      queue = created;
      sessionQueues.set(sessionId, queue);
    }
    return queue;
  };

  /** Settles once every task queued so far, on any queue, has. */
  const everythingQueued = (): Promise<unknown> =>
    Promise.all([connectionQueue.idle(), ...[...sessionQueues.values()].map((queue) => queue.idle())]);

  const pushSessionClose = (sessionId: string, task: QueuedTask) => {
    const batchesBefore = sessionQueues.get(sessionId)?.idle();
    const answered = new Promise<void>((resolve) => {
      connectionQueue.push(async () => {
        try {
          await batchesBefore;
          await task();
        } finally {
          resolve();
        }
      });
    });
    pendingCloses.set(sessionId, answered);
    void answered.then(() => {
      if (pendingCloses.get(sessionId) === answered) pendingCloses.delete(sessionId);
    });
  };

  return {
    push(route, task) {
      switch (route.kind) {
        case 'batch': {
          const closeBefore = pendingCloses.get(route.sessionId);
          sessionQueue(route.sessionId).push(async () => {
            await closeBefore;
            await task();
          });
          return;
        }
        case 'session_close':
          pushSessionClose(route.sessionId, task);
          return;
        case 'behind_everything': {
          const before = everythingQueued();
          connectionQueue.push(async () => {
            await before;
            await task();
          });
          return;
        }
        case 'in_order':
          connectionQueue.push(task);
      }
    },
    async drain() {
      while (connectionQueue.pending > 0 || sessionQueues.size > 0) await everythingQueued();
    },
  };
}
