import {
  systemClock,
  ThrottleSettingsSchema,
  validate,
  type CapturedEvent,
  type Clock,
  type ThrottleSettings,
} from '@codesight/schema';
import type { CaptureContext, CaptureModule } from './capture-context';
import { isShadowRoot, mayBeRetargeted } from './dom';
import { maskTitle, maskUrl } from './event-parts';
import { createKeyCapture } from './key-capture';
import { watchNavigation } from './navigation-watcher';
import { createPointerCapture } from './pointer-capture';
import { createScrollCapture } from './scroll-capture';
import { createValueCapture } from './value-capture';

/** Options of {@link startPageCapture}. */
export interface PageCaptureOptions {
  /** Receives every captured event, already masked. `tabId`/`frameId` are left for the background. */
  emit: (event: CapturedEvent) => void;
  /** Throttles; missing or out-of-range fields fall back to the schema defaults. */
  settings?: Partial<ThrottleSettings>;
  /** The window to capture (default: the global one). Only this window: each frame runs its own capture. */
  window?: Window;
  /** Emit a `navigation` event of type `load` for the current URL at start. */
  emitLoad?: boolean;
  /** Ignore events dispatched by page scripts (`isTrusted: false`). Off by default: widgets that drive a
   * hidden native <select> dispatch its change event from script, and that change is the user's choice. */
  trustedOnly?: boolean;
  /** Clock for timestamps and timers (tests). */
  clock?: Clock;
  /** Receives errors thrown while capturing; they are never rethrown into the page. Default: console.debug. */
  onError?: (error: unknown) => void;
}

/** A running capture. The methods do not depend on `this`, so they can be passed around detached. */
export interface PageCapture {
  /** Flushes, then removes every listener and timer. Safe to call twice. */
  stop(this: void): void;
  /** Emits pending settled input, trailing scroll and resize now (page hide, before stop). */
  flush(this: void): void;
}

// Events that are composed (cross shadow boundaries) and tell us which open shadow roots the user is
// in: those roots get listeners for the non-composed events (change, submit, scroll).
const SHADOW_DISCOVERY_EVENTS = ['focusin', 'pointerdown', 'mouseover'];

/**
 * Starts capturing user activity in `window`: pointer (click, dblclick, contextmenu, hover), values
 * (input, change, select, submit), keys, scrolls, resizes, visibility and same-document navigations, all
 * with capture-phase listeners so page handlers that stop propagation do not hide anything. Pure DOM
 * code: no extension APIs, usable from a content script and testable in a DOM emulation.
 */
export function startPageCapture(options: PageCaptureOptions): PageCapture {
  const win = (options.window ?? globalThis.window) as Window & typeof globalThis;
  const doc = win.document;
  const clock = options.clock ?? systemClock;
  const onError = options.onError ?? ((error: unknown) => console.debug('[codesight capture]', error));
  const settings = resolveSettings(options.settings);
  const abort = new AbortController();
  let stopped = false;

  const send = (event: CapturedEvent) => {
    if (stopped) return;
    try {
      options.emit(event);
    } catch (error) {
      onError(error);
    }
  };
  const now = () => Math.max(0, Math.round(clock.now()));
  const base = () => {
    const title = maskTitle(doc.title ?? '');
    return { timestamp: now(), url: maskUrl(win.location.href), ...(title ? { title } : {}) };
  };

  const navigation = watchNavigation({
    win,
    clock,
    onError,
    onChange: (kind, fromUrl) =>
      send({ type: 'navigation', ...base(), navigationType: kind, fromUrl: maskUrl(fromUrl) }),
  });

  const ctx: CaptureContext = { win, doc, clock, settings, send, now, base, checkUrl: () => navigation.check() };
  const values = createValueCapture(ctx);
  const modules: CaptureModule[] = [
    values,
    createPointerCapture(ctx, (el) => values.flushInputs(el)),
    createKeyCapture(ctx, () => values.flushInputs()),
    createScrollCapture(ctx),
  ];

  const guard = (listener: (event: Event) => void) => (event: Event) => {
    if (stopped || (options.trustedOnly && !event.isTrusted)) return;
    try {
      listener(event);
    } catch (error) {
      onError(error);
    }
  };

  const listen = (target: EventTarget, type: string, listener: (event: Event) => void) =>
    target.addEventListener(type, guard(listener), { capture: true, passive: true, signal: abort.signal });

  for (const module of modules) {
    for (const [type, listener] of Object.entries(module.listeners)) if (listener) listen(win, type, listener);
  }

  const shadowRoots = new WeakSet<ShadowRoot>();
  const discoverShadowRoots = (event: Event) => {
    if (!mayBeRetargeted(event)) return;
    for (const node of event.composedPath()) {
      if (!isShadowRoot(node) || shadowRoots.has(node)) continue;
      shadowRoots.add(node);
      for (const module of modules) {
        for (const [type, listener] of Object.entries(module.shadowListeners ?? {}))
          if (listener) listen(node, type, listener);
      }
    }
  };
  for (const type of SHADOW_DISCOVERY_EVENTS) listen(win, type, discoverShadowRoots);

  const flush = () => {
    for (const module of modules) {
      try {
        module.flush?.();
      } catch (error) {
        onError(error);
      }
    }
  };

  listen(doc, 'visibilitychange', () => {
    const hidden = doc.visibilityState === 'hidden';
    // A hidden tab's timers are throttled to once a minute: pending values go out now.
    if (hidden) flush();
    send({ type: 'visibility', ...base(), state: hidden ? 'hidden' : 'visible' });
  });
  listen(win, 'pagehide', flush);
  listen(win, 'beforeunload', flush);

  if (options.emitLoad) {
    // The referring page: a load a link or a script caused has one, a typed or bookmarked address none
    // (''). Replayable flows tell "the click before caused this load" from "the worker went there" by it.
    const referrer = typeof doc.referrer === 'string' ? doc.referrer : '';
    send({ type: 'navigation', ...base(), navigationType: 'load', fromUrl: referrer ? maskUrl(referrer) : '' });
  }

  return {
    flush,
    stop() {
      if (stopped) return;
      flush();
      stopped = true;
      abort.abort();
      navigation.stop();
      for (const module of modules) module.cancel?.();
    },
  };
}

function resolveSettings(settings: Partial<ThrottleSettings> | undefined): ThrottleSettings {
  const parsed = validate(ThrottleSettingsSchema, settings ?? {});
  if (parsed.ok) return parsed.value;
  // Out-of-range values: keep the valid fields, default the rest.
  const defaults = validate(ThrottleSettingsSchema, {});
  const fallback = defaults.ok ? defaults.value : { scrollMs: 200, hoverDwellMs: 1000, inputSettleMs: 800 };
  const merged: ThrottleSettings = { ...fallback };
  for (const key of Object.keys(fallback) as (keyof ThrottleSettings)[]) {
    const single = validate(ThrottleSettingsSchema, { [key]: settings?.[key] });
    if (single.ok) merged[key] = single.value[key];
  }
  return merged;
}
