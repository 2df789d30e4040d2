import type { Clock, Failure, FrameDropReason, Result, TimerHandle } from '@codesight/schema';

/**
 * Chrome refuses `tabs.captureVisibleTab` more often than twice a second
 * (MAX_CAPTURE_VISIBLE_TAB_CALLS_PER_SECOND), for the whole extension: every burst shares one queue that
 * starts a capture at most once per this interval. Not 500: Chrome counts calls in one-second windows
 * as they arrive, and with 500 ms a call delayed by a few ms lands as the third of a window (measured:
 * one refusal in a dozen frames on the fixture shop).
 */
export const CAPTURE_INTERVAL_MS = 600;
/** Frames waiting at once; a worker clicking fast must not build a backlog of stale frames. */
export const MAX_QUEUED_FRAMES = 12;

export type { FrameDropReason };

/** One frame of a burst, as asked for. */
export interface FrameRequest {
  burstId: string;
  burstIndex: number;
  /** Epoch ms: not before this. */
  notBefore: number;
  /** Epoch ms: not after this; a frame that cannot start by then is dropped as `late`. */
  deadline: number;
}

/** Takes one frame; a failure names the reason it is dropped for. */
export type TakeFrame<R extends FrameRequest> = (request: R) => Promise<Result<void, Failure<FrameDropReason>>>;

export interface CaptureQueueOptions<R extends FrameRequest> {
  clock: Clock;
  take: TakeFrame<R>;
  /** Told of every dropped frame, with its reason. */
  onDrop?: (request: R, reason: FrameDropReason, message: string) => void;
  intervalMs?: number;
  maxQueued?: number;
}

/** The queue every burst goes through. */
export interface CaptureQueue<R extends FrameRequest> {
  /** Queues a frame. */
  push(request: R): void;
  /** Frames waiting (not counting one being taken). */
  readonly waiting: number;
  /** Frames dropped so far, by reason. */
  readonly drops: Readonly<Record<FrameDropReason, number>>;
  /** Frames taken so far. */
  readonly taken: number;
  /** Resolves once nothing waits and nothing is being taken. */
  idle(): Promise<void>;
  /** Starts nothing more: frames still waiting are discarded (the session ended); a capture under way finishes. */
  stop(): void;
}

/**
 * Serves every burst's frames in `notBefore` order, starting captures at least `intervalMs` apart and
 * one at a time. Frames that cannot start before their deadline are dropped as `late`; a full queue
 * gives up its oldest frame. Nothing here throws: every frame is either taken or counted as dropped.
 */
export function createCaptureQueue<R extends FrameRequest>(options: CaptureQueueOptions<R>): CaptureQueue<R> {
  const { clock, take } = options;
  const intervalMs = options.intervalMs ?? CAPTURE_INTERVAL_MS;
  const maxQueued = options.maxQueued ?? MAX_QUEUED_FRAMES;
  const queue: R[] = [];
  const drops: Record<FrameDropReason, number> = {
    late: 0,
    queue_full: 0,
    tab_hidden: 0,
    redaction_unavailable: 0,
    capture_failed: 0,
  };
  let taken = 0;
  let lastStart = -Infinity;
  let busy = false;
  let stopped = false;
  // Boxed: TimerHandle is `unknown`, so `undefined` alone could not mean "no timer".
  let timer: { handle: TimerHandle } | undefined;
  let idleWaiters: (() => void)[] = [];

  const drop = (request: R, reason: FrameDropReason, message: string) => {
    drops[reason] += 1;
    options.onDrop?.(request, reason, message);
  };

  const settleIdle = () => {
    if (busy || queue.length > 0 || timer !== undefined) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const schedule = () => {
    if (stopped || busy || timer !== undefined || queue.length === 0) return settleIdle();
    const next = queue[0]!;
    const startAt = Math.max(next.notBefore, lastStart + intervalMs);
    const wait = startAt - clock.now();
    if (wait > 0) {
      timer = {
        handle: clock.setTimeout(() => {
          timer = undefined;
          void runNext();
        }, wait),
      };
      return;
    }
    void runNext();
  };

  const runNext = async () => {
    const now = clock.now();
    // Frames whose deadline passed while they waited are dropped without costing a capture slot.
    while (queue.length > 0 && queue[0]!.deadline < now) {
      const late = queue.shift()!;
      drop(late, 'late', `frame ${late.burstIndex} of burst ${late.burstId} missed its deadline`);
    }
    const request = queue.shift();
    if (!request) return schedule();
    busy = true;
    lastStart = now;
    try {
      const result = await take(request);
      if (result.ok) taken += 1;
      else drop(request, result.error.code, result.error.message);
    } catch (error) {
      drop(request, 'capture_failed', error instanceof Error ? error.message : String(error));
    } finally {
      busy = false;
    }
    schedule();
  };

  return {
    push(request) {
      if (stopped) return;
      let at = queue.length;
      while (at > 0 && queue[at - 1]!.notBefore > request.notBefore) at -= 1;
      queue.splice(at, 0, request);
      if (queue.length > maxQueued) {
        const oldest = queue.shift()!;
        drop(oldest, 'queue_full', `frame ${oldest.burstIndex} of burst ${oldest.burstId} gave way to newer frames`);
      }
      // A new earliest frame may be due sooner than the one the timer waits for.
      if (timer !== undefined && queue[0] === request) {
        clock.clearTimeout(timer.handle);
        timer = undefined;
      }
      schedule();
    },
    get waiting() {
      return queue.length;
    },
    drops,
    get taken() {
      return taken;
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer.handle);
      timer = undefined;
      queue.length = 0;
      settleIdle();
    },
  };
}
