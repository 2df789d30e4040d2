/**
 * Small DOM helpers shared by the capture modules. Everything checks `nodeType` instead of `instanceof`:
 * the capture code may run against another window's nodes (iframes, tests), where each realm has its own
 * `Element` constructor and `instanceof` silently answers false.
 */

/** A scope CSS selectors are unique in: a document or an (open) shadow root. */
export type SelectorRoot = Document | ShadowRoot;

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const DOCUMENT_NODE = 9;
const DOCUMENT_FRAGMENT_NODE = 11;

/** True for elements of any realm. */
export function isElement(node: unknown): node is Element {
  return typeof node === 'object' && node !== null && (node as Node).nodeType === ELEMENT_NODE;
}

/** True for documents of any realm. */
export function isDocument(node: unknown): node is Document {
  return typeof node === 'object' && node !== null && (node as Node).nodeType === DOCUMENT_NODE;
}

/** True for shadow roots (document fragments that have a host). */
export function isShadowRoot(node: unknown): node is ShadowRoot {
  return (
    typeof node === 'object' &&
    node !== null &&
    (node as Node).nodeType === DOCUMENT_FRAGMENT_NODE &&
    isElement((node as ShadowRoot).host)
  );
}

/** The document or shadow root `el` lives in; undefined for detached elements. */
export function rootOf(el: Element): SelectorRoot | undefined {
  const root = el.getRootNode();
  return isDocument(root) || isShadowRoot(root) ? root : undefined;
}

/** Parent in the composed tree: the parent element, or the shadow host when `el` is a shadow root's child. */
export function composedParent(el: Element): Element | null {
  if (el.parentElement) return el.parentElement;
  const parent = el.parentNode;
  return isShadowRoot(parent) ? parent.host : null;
}

/** Like `Element.closest`, but continues into the shadow hosts around `el`'s root. */
export function closestComposed(el: Element, selector: string): Element | null {
  let current: Element | null = el;
  while (current) {
    const hit = current.closest(selector);
    if (hit) return hit;
    const root = current.getRootNode();
    current = isShadowRoot(root) ? root.host : null;
  }
  return null;
}

/** Whether `inner` is `outer` or lies inside it, crossing shadow boundaries. */
export function containsComposed(outer: Element, inner: Element): boolean {
  let current: Element | null = inner;
  while (current) {
    if (current === outer) return true;
    current = composedParent(current);
  }
  return false;
}

/** The element an event target stands for: text nodes map to their parent element. */
function toElement(target: EventTarget | null | undefined): Element | null {
  if (isElement(target)) return target;
  const node = target as Node | null | undefined;
  if (node && node.nodeType === TEXT_NODE) return node.parentElement;
  return null;
}

/**
 * The innermost element an event happened on. `event.target` is retargeted to the shadow host when a
 * listener sits outside an open shadow root; `composedPath()[0]` is the real node inside it.
 */
export function eventElement(event: Event): Element | null {
  // Only a shadow host can stand in for a deeper target: for any other element the path's first node is
  // the target itself, and composedPath() (an array of every ancestor) is not needed.
  if (!mayBeRetargeted(event)) return toElement(event.target);
  const path = typeof event.composedPath === 'function' ? event.composedPath() : [];
  for (const node of path) {
    const el = toElement(node);
    if (el) return el;
  }
  return toElement(event.target);
}

/**
 * Whether the event's real target may lie inside an open shadow root: then listeners outside see its
 * host as `target`, and only `composedPath()` tells the real node (and the shadow roots on the way).
 */
export function mayBeRetargeted(event: Event): boolean {
  const target = event.target;
  // The root check covers listeners inside a shadow root, and DOM emulations that do not retarget.
  return !isElement(target) || target.shadowRoot !== null || isShadowRoot(target.getRootNode());
}

/** The window an element belongs to (null for elements of documents without a browsing context). */
export function windowOf(el: Element): (Window & typeof globalThis) | null {
  return el.ownerDocument?.defaultView ?? null;
}
