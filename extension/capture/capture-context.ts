import type { CapturedEvent, Clock, ThrottleSettings } from '@codesight/schema';

/** Fields every captured event starts with. */
export interface EventBase {
  timestamp: number;
  url: string;
  title?: string;
}

/** What the per-kind capture modules share: the window, clock, settings and the way out. */
export interface CaptureContext {
  win: Window & typeof globalThis;
  doc: Document;
  clock: Clock;
  settings: ThrottleSettings;
  /** Hands a finished event to the caller (errors in the callback are reported, never thrown into the page). */
  send(event: CapturedEvent): void;
  /** Integer milliseconds since the epoch, from the clock. */
  now(): number;
  /** Timestamp, masked URL and title of the page right now. */
  base(): EventBase;
  /** Reports a pending same-document URL change first, so the next event carries the new URL. */
  checkUrl(): void;
}

/** A group of DOM listeners plus what to do on flush and stop. */
export interface CaptureModule {
  /** Listeners registered capture-phase on the window, by event type. */
  listeners: Partial<Record<string, (event: Event) => void>>;
  /** Listeners for events that do not cross shadow boundaries (composed: false), registered on each open shadow root seen. */
  shadowListeners?: Partial<Record<string, (event: Event) => void>>;
  /** Emits whatever is pending. */
  flush?(): void;
  /** Drops pending work and timers. */
  cancel?(): void;
}
