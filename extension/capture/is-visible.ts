import { composedParent, containsComposed, windowOf } from './dom';

/**
 * Whether `el` was visible and hit-testable where the pointer was: a non-empty box, not hidden by CSS
 * (display, visibility, opacity 0, also on ancestors), and the topmost element at the point is `el` or
 * inside it (following open shadow roots). Clicks without a real position (keyboard activation reports
 * 0,0 outside the box) are tested at the centre of the box. `hitAtPoint` is the innermost target of a
 * trusted pointer event at exactly this point: the browser's own hit test, used instead of a new one.
 * Without layout (DOM emulations) boxes are empty and the answer is false.
 */
export function isVisibleAt(el: Element, clientX: number, clientY: number, hitAtPoint?: Element): boolean {
  const win = windowOf(el);
  if (!win) return false;
  const rect = el.getBoundingClientRect();
  if (!(rect.width > 0 && rect.height > 0)) return false;
  if (!isRendered(el, win)) return false;

  const inside = clientX >= rect.left && clientX <= rect.right && clientY >= rect.top && clientY <= rect.bottom;
  const x = inside ? clientX : rect.left + rect.width / 2;
  const y = inside ? clientY : rect.top + rect.height / 2;
  if (x < 0 || y < 0 || x > win.innerWidth || y > win.innerHeight) return false;

  // The browser hit-tested this very point to dispatch the event: asking again (elementFromPoint) would
  // pay a second hit test, and a style and layout update when hover styles changed since.
  const hit = inside && hitAtPoint ? hitAtPoint : deepElementFromPoint(el.ownerDocument, x, y);
  return hit !== null && containsComposed(el, hit);
}

/** `elementFromPoint` that descends into open shadow roots (the document answers with the host). */
export function deepElementFromPoint(doc: Document, x: number, y: number): Element | null {
  let hit = typeof doc.elementFromPoint === 'function' ? doc.elementFromPoint(x, y) : null;
  for (let depth = 0; hit?.shadowRoot && depth < 32; depth++) {
    const shadow: ShadowRoot = hit.shadowRoot;
    const inner = typeof shadow.elementFromPoint === 'function' ? shadow.elementFromPoint(x, y) : null;
    if (!inner || inner === hit) break;
    hit = inner;
  }
  return hit;
}

type VisibilityOptions = { opacityProperty?: boolean; visibilityProperty?: boolean };

function isRendered(el: Element, win: Window): boolean {
  const modern = el as Element & { checkVisibility?: (o: VisibilityOptions) => boolean };
  if (typeof modern.checkVisibility === 'function') {
    return modern.checkVisibility({ opacityProperty: true, visibilityProperty: true });
  }
  const style = win.getComputedStyle(el);
  if (style.visibility === 'hidden' || style.visibility === 'collapse') return false;
  for (let current: Element | null = el; current; current = composedParent(current)) {
    const s = win.getComputedStyle(current);
    if (s.display === 'none' || s.opacity === '0') return false;
  }
  return true;
}
