import type { CaptureContext, CaptureModule } from './capture-context';
import {
  actionableTarget,
  analyzeElement,
  describeActionTarget,
  describeTargetInContext,
  interactiveAncestor,
} from './describe-target';
import { eventElement } from './dom';
import { finite, modifiersOf, viewportOf } from './event-parts';
import { isVisibleAt } from './is-visible';
import { createDwellTimer } from './throttle';

// A label forwards its click to its control as a second click event within the same task; one within
// this window on the label's control is that forwarded click, not a second user action.
const LABEL_FORWARD_WINDOW_MS = 50;

/**
 * Pointer capture: click, dblclick and contextmenu with coordinates, offsets within the target's box,
 * viewport, modifiers, button and a visibility hit test; hovers once the pointer rests `hoverDwellMs` on
 * an interactive element. The innermost target comes from `composedPath()` (inside open shadow roots) and
 * is attributed to its nearest actionable ancestor (the button around a clicked <span>).
 */
export function createPointerCapture(ctx: CaptureContext, beforeAction: (el: Element) => void): CaptureModule {
  let lastLabelClick: { control: Element; at: number } | undefined;
  let hovered: Element | undefined;

  const dwell = createDwellTimer<Element, { x: number; y: number }>({
    dwellMs: ctx.settings.hoverDwellMs,
    clock: ctx.clock,
    onDwell: (el, point, dwellMs) => {
      if (!el.isConnected) return;
      ctx.checkUrl();
      ctx.send({
        type: 'hover',
        ...ctx.base(),
        coordinates: point,
        dwellMs: Math.max(0, Math.round(dwellMs)),
        ...describeTargetInContext(el),
        elementAnalysis: analyzeElement(el),
      });
    },
  });

  const onPointer = (type: 'click' | 'dblclick' | 'contextmenu') => (event: Event) => {
    const mouse = event as MouseEvent;
    const inner = eventElement(mouse);
    if (!inner) return;
    const el = actionableTarget(inner);
    const now = ctx.now();
    if (type === 'click') {
      if (lastLabelClick && lastLabelClick.control === el && now - lastLabelClick.at <= LABEL_FORWARD_WINDOW_MS) {
        lastLabelClick = undefined;
        return;
      }
      const control = el.localName === 'label' ? (el as HTMLLabelElement).control : null;
      lastLabelClick = control ? { control, at: now } : undefined;
    }
    ctx.checkUrl();
    beforeAction(el);
    dwell.suppress();
    const x = finite(mouse.clientX);
    const y = finite(mouse.clientY);
    const rect = el.getBoundingClientRect();
    ctx.send({
      type,
      ...ctx.base(),
      coordinates: { x, y },
      pageX: typeof mouse.pageX === 'number' ? finite(mouse.pageX) : x + finite(ctx.win.scrollX),
      pageY: typeof mouse.pageY === 'number' ? finite(mouse.pageY) : y + finite(ctx.win.scrollY),
      offsetX: finite(x - rect.left),
      offsetY: finite(y - rect.top),
      viewport: viewportOf(ctx.win),
      modifiers: modifiersOf(mouse),
      button: Math.trunc(finite(mouse.button)),
      // A real mouse click (detail > 0; keyboard activation has 0) was dispatched to what is at its point.
      isVisible: isVisibleAt(el, x, y, mouse.isTrusted && mouse.detail > 0 ? inner : undefined),
      // Only a click carries the HTML around its target: double and context clicks follow or are rare.
      ...(type === 'click' ? describeActionTarget(el) : describeTargetInContext(el)),
      elementAnalysis: analyzeElement(el),
    });
  };

  const onMouseOver = (event: Event) => {
    const inner = eventElement(event);
    const el = inner ? interactiveAncestor(inner) : null;
    const mouse = event as MouseEvent;
    if (el) {
      hovered = el;
      dwell.enter(el, { x: finite(mouse.clientX), y: finite(mouse.clientY) });
    } else {
      hovered = undefined;
      dwell.leave();
    }
  };

  // Only refreshes the coordinates of the current dwell: mouseover already decided what is hovered.
  const onMouseMove = (event: Event) => {
    if (!hovered) return;
    const mouse = event as MouseEvent;
    dwell.enter(hovered, { x: finite(mouse.clientX), y: finite(mouse.clientY) });
  };

  const onMouseOut = (event: Event) => {
    // relatedTarget null: the pointer left the window.
    if ((event as MouseEvent).relatedTarget === null) {
      hovered = undefined;
      dwell.leave();
    }
  };

  return {
    listeners: {
      click: onPointer('click'),
      dblclick: onPointer('dblclick'),
      contextmenu: onPointer('contextmenu'),
      mouseover: onMouseOver,
      mousemove: onMouseMove,
      mouseout: onMouseOut,
      mousedown: () => dwell.suppress(),
    },
    cancel: () => dwell.cancel(),
  };
}
