import type { CaptureContext, CaptureModule, EventBase } from './capture-context';
import { describeTarget } from './describe-target';
import { eventElement, isDocument, isElement } from './dom';
import { finite, viewportOf } from './event-parts';
import { createKeyedThrottle } from './throttle';

// Window resizes come per animation frame while the user drags; four a second keep the drag's shape and
// the trailing edge keeps the final size.
const RESIZE_THROTTLE_MS = 250;

/** The window's key in the per-scroller throttle. */
const WINDOW = 'window';

interface ScrollSnapshot {
  page: EventBase;
  scrollX: number;
  scrollY: number;
  scrollWidth: number;
  scrollHeight: number;
}

/**
 * Scroll capture for the window and every scrollable element (capture phase: scroll does not bubble),
 * throttled per scroller with `scrollMs` and always ending on the last position; resize throttled at
 * {@link RESIZE_THROTTLE_MS}. Targets are described at emission, not per scroll event.
 */
export function createScrollCapture(ctx: CaptureContext): CaptureModule {
  const scrolls = createKeyedThrottle<Element | typeof WINDOW, ScrollSnapshot>({
    intervalMs: ctx.settings.scrollMs,
    clock: ctx.clock,
    emit: (key, snap) => {
      ctx.send({
        type: 'scroll',
        ...snap.page,
        timestamp: ctx.now(),
        scrollX: snap.scrollX,
        scrollY: snap.scrollY,
        scrollWidth: snap.scrollWidth,
        scrollHeight: snap.scrollHeight,
        viewport: viewportOf(ctx.win),
        ...(key === WINDOW ? {} : { target: describeTarget(key) }),
      });
    },
  });

  const resizes = createKeyedThrottle<typeof WINDOW, null>({
    intervalMs: RESIZE_THROTTLE_MS,
    clock: ctx.clock,
    emit: () => ctx.send({ type: 'resize', ...ctx.base(), viewport: viewportOf(ctx.win) }),
  });

  const onScroll = (event: Event) => {
    const { doc, win } = ctx;
    const el = eventElement(event);
    const isWindow =
      !el ||
      isDocument(event.target) ||
      event.target === win ||
      el === doc.documentElement ||
      el === doc.scrollingElement;
    ctx.checkUrl();
    if (isWindow) {
      const page = doc.scrollingElement ?? doc.documentElement;
      scrolls.push(WINDOW, {
        page: ctx.base(),
        scrollX: finite(win.scrollX),
        scrollY: finite(win.scrollY),
        scrollWidth: finite(page?.scrollWidth),
        scrollHeight: finite(page?.scrollHeight),
      });
    } else {
      scrolls.push(el, {
        page: ctx.base(),
        scrollX: finite(el.scrollLeft),
        scrollY: finite(el.scrollTop),
        scrollWidth: finite(el.scrollWidth),
        scrollHeight: finite(el.scrollHeight),
      });
    }
  };

  return {
    listeners: {
      scroll: onScroll,
      resize: (event) => {
        // Only windows resize; identity checks against `win` fail across realm wrappers, so test the node type.
        if (!isElement(event.target) && !isDocument(event.target)) resizes.push(WINDOW, null);
      },
    },
    // scroll is not composed: a scroller inside a shadow root is only seen from that root.
    shadowListeners: { scroll: onScroll },
    flush() {
      scrolls.flush();
      resizes.flush();
    },
    cancel() {
      scrolls.cancel();
      resizes.cancel();
    },
  };
}
