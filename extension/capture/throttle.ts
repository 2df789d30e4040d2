import { systemClock, type Clock } from '@codesight/schema';

/**
 * Timing helpers for high-frequency DOM events, all driven by an injectable clock so tests can use
 * fake timers (or a hand-written clock) and the content script the real one.
 */

/** A throttle with one independent timeline per key. */
export interface KeyedThrottle<K, V> {
  /** Offers a value: emitted at once if the key was quiet for the interval, else kept as the trailing value. */
  push(key: K, value: V): void;
  /** Emits every pending trailing value now. */
  flush(): void;
  /** Drops pending values and timers without emitting. */
  cancel(): void;
}

interface ThrottleState<V> {
  lastEmit: number;
  pending?: { value: V };
  timer?: unknown;
}

/**
 * Leading + trailing throttle per key (one scroller must not starve another): the first value after a
 * quiet interval is emitted immediately, later ones at most once per `intervalMs`, and the last value
 * of a burst is always emitted (at the end of its interval, or on flush).
 */
export function createKeyedThrottle<K, V>(options: {
  intervalMs: number;
  emit: (key: K, value: V) => void;
  clock?: Clock;
}): KeyedThrottle<K, V> {
  const { intervalMs, emit } = options;
  const clock = options.clock ?? systemClock;
  const states = new Map<K, ThrottleState<V>>();

  const fireTrailing = (key: K) => {
    const state = states.get(key);
    if (!state) return;
    state.timer = undefined;
    if (!state.pending) return;
    const { value } = state.pending;
    state.pending = undefined;
    state.lastEmit = clock.now();
    emit(key, value);
  };

  // Keys whose interval has passed with nothing pending are forgotten, so removed scrollers are not retained.
  const prune = (now: number) => {
    for (const [key, state] of states) {
      if (!state.pending && state.timer === undefined && now - state.lastEmit >= intervalMs) states.delete(key);
    }
  };

  return {
    push(key, value) {
      const now = clock.now();
      prune(now);
      const state = states.get(key);
      if (!state) {
        states.set(key, { lastEmit: now });
        emit(key, value);
        return;
      }
      state.pending = { value };
      if (state.timer === undefined) {
        const wait = Math.max(0, state.lastEmit + intervalMs - now);
        state.timer = clock.setTimeout(() => fireTrailing(key), wait);
      }
    },
    flush() {
      for (const [key, state] of Array.from(states)) {
        if (state.timer !== undefined) clock.clearTimeout(state.timer);
        fireTrailing(key);
      }
    },
    cancel() {
      for (const state of states.values()) if (state.timer !== undefined) clock.clearTimeout(state.timer);
      states.clear();
    },
  };
}

/** Fires once when the pointer has rested on the same key long enough. */
export interface DwellTimer<K, D> {
  /** The pointer is on `key` (again); `data` (e.g. coordinates) replaces the previous data for that key. */
  enter(key: K, data: D): void;
  /** The pointer left whatever it was on. */
  leave(): void;
  /** Ends the current dwell without firing and without re-arming until the pointer moves to another key (e.g. on click). */
  suppress(): void;
  /** Stops everything. */
  cancel(): void;
}

/**
 * Dwell detection for hovers: `onDwell(key, data, dwellMs)` fires once `dwellMs` after the pointer entered
 * `key` and stayed. Re-entering the same key while on it does not restart the timer; after firing, the
 * key must be left before it can fire again (one event per dwell).
 */
export function createDwellTimer<K, D>(options: {
  dwellMs: number;
  onDwell: (key: K, data: D, dwellMs: number) => void;
  clock?: Clock;
}): DwellTimer<K, D> {
  const clock = options.clock ?? systemClock;
  let current: { key: K; data: D; since: number; timer?: unknown } | undefined;

  const clear = () => {
    if (current?.timer !== undefined) clock.clearTimeout(current.timer);
    if (current) current.timer = undefined;
  };

  return {
    enter(key, data) {
      if (current && current.key === key) {
        current.data = data;
        return;
      }
      clear();
      const since = clock.now();
      const entry: { key: K; data: D; since: number; timer?: unknown } = { key, data, since };
      entry.timer = clock.setTimeout(() => {
        entry.timer = undefined;
        options.onDwell(entry.key, entry.data, clock.now() - entry.since);
      }, options.dwellMs);
      current = entry;
    },
    leave() {
      clear();
      current = undefined;
    },
    suppress() {
      clear();
    },
    cancel() {
      clear();
      current = undefined;
    },
  };
}

/** Collects rapid updates per key and emits the last one once they stop. */
export interface SettleDebouncer<K, V> {
  /** A new value for `key`; restarts its quiet period. */
  push(key: K, value: V): void;
  /** Emits `key`'s pending value now (blur, change); no-op when nothing is pending. */
  flushKey(key: K): void;
  /** Emits every pending value now, oldest first. */
  flush(): void;
  /** Whether `key` has a value waiting. */
  isPending(key: K): boolean;
  /** Keys with a value waiting, oldest first. */
  pendingKeys(): K[];
  /** Drops everything without emitting. */
  cancel(): void;
}

/**
 * Trailing debounce per key: a value is emitted `settleMs` after the last push for its key, or at once
 * on `flushKey`/`flush`. Used for typing, where only the settled value matters, not every keystroke.
 */
export function createSettleDebouncer<K, V>(options: {
  settleMs: number;
  emit: (key: K, value: V) => void;
  clock?: Clock;
}): SettleDebouncer<K, V> {
  const clock = options.clock ?? systemClock;
  // A Map keeps insertion order, so flush() emits fields in the order the user started typing in them.
  const pending = new Map<K, { value: V; timer: unknown }>();

  const fire = (key: K) => {
    const entry = pending.get(key);
    if (!entry) return;
    clock.clearTimeout(entry.timer);
    pending.delete(key);
    options.emit(key, entry.value);
  };

  return {
    push(key, value) {
      const entry = pending.get(key);
      if (entry) clock.clearTimeout(entry.timer);
      const timer = clock.setTimeout(() => fire(key), options.settleMs);
      if (entry) {
        entry.value = value;
        entry.timer = timer;
      } else {
        pending.set(key, { value, timer });
      }
    },
    flushKey: fire,
    flush() {
      for (const key of Array.from(pending.keys())) fire(key);
    },
    isPending: (key) => pending.has(key),
    pendingKeys: () => Array.from(pending.keys()),
    cancel() {
      for (const entry of pending.values()) clock.clearTimeout(entry.timer);
      pending.clear();
    },
  };
}
