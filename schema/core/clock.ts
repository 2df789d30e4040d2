/** Opaque handle returned by {@link Clock.setTimeout}; only ever passed back to {@link Clock.clearTimeout}. */
export type TimerHandle = unknown;

/**
 * Time as the code base sees it: the one interface injected wherever time matters (throttles, the
 * content outbox, the sync engine and its transports, the media uploader, the server's socket timers),
 * so tests drive a fake clock and every run is deterministic. Production passes {@link systemClock}.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `Date.now` and the global timers, looked up on each call rather than captured, so
 * vitest fake timers installed after module load are honoured.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
