import { afterEach, beforeEach, expect, vi } from 'vitest';
import { CapturedEventSchema, validate, type CapturedEvent, type EventType } from '@codesight/schema';
import { startPageCapture, type PageCapture, type PageCaptureOptions } from '../page-capture';

/** Fake "now" every capture test starts at. */
export const START = Date.UTC(2026, 0, 15, 12, 0, 0);
/** The schema defaults, spelled out so the tests read on their own. */
export const SETTINGS = { scrollMs: 200, hoverDwellMs: 1000, inputSettleMs: 800 };

/** What the current test captured, and the running capture (stopped after each test). */
export const state: { events: CapturedEvent[]; capture: PageCapture | undefined } = { events: [], capture: undefined };

/**
 * Registers the shared hooks: fake timers from {@link START}, a clean event list, the page at /shop; after
 * each test the capture is stopped and every captured event must validate against CapturedEventSchema.
 */
export function useCaptureHarness(): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: START });
    state.events = [];
    history.replaceState(null, '', '/shop');
  });
  afterEach(() => {
    state.capture?.stop();
    state.capture = undefined;
    vi.useRealTimers();
    vi.restoreAllMocks();
    for (const event of state.events) {
      const result = validate(CapturedEventSchema, event);
      expect(result.ok, `${event.type}: ${result.ok ? '' : result.error.message}`).toBe(true);
    }
  });
}

/** Starts capturing into `state.events` with {@link SETTINGS}. */
export function start(options: Partial<PageCaptureOptions> = {}): PageCapture {
  state.capture = startPageCapture({ emit: (e) => state.events.push(e), settings: SETTINGS, ...options });
  return state.capture;
}

export const $ = <T extends Element = HTMLElement>(selector: string) =>
  document.querySelector(selector) as unknown as T;
export const ofType = <T extends EventType>(type: T) =>
  state.events.filter((e): e is Extract<CapturedEvent, { type: T }> => e.type === type);
export const types = () => state.events.map((e) => e.type);

/** Dispatches a composed mouse event (default: click at 40,30). */
export function click(el: Element, init: MouseEventInit = {}, type = 'click') {
  el.dispatchEvent(
    new MouseEvent(type, { bubbles: true, composed: true, cancelable: true, clientX: 40, clientY: 30, ...init }),
  );
}

/** Focuses `el`, then sets its value prefix by prefix with an input event each, `stepMs` apart. */
export function typeInto(el: HTMLInputElement | HTMLTextAreaElement, text: string, stepMs = 60) {
  el.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
  for (let i = 1; i <= text.length; i++) {
    el.value = text.slice(0, i);
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    vi.advanceTimersByTime(stepMs);
  }
}

export function blur(el: Element) {
  el.dispatchEvent(new FocusEvent('focusout', { bubbles: true, composed: true }));
}

export function change(el: Element) {
  el.dispatchEvent(new Event('change', { bubbles: true }));
}
