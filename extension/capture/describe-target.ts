import { LIMITS, type ElementContext, type Rect, type Target } from '@codesight/schema';
import { accessibleName, getRole } from './accessible-name';
import { buildCssSelector } from './css-selector';
import { isShadowRoot, windowOf } from './dom';
import { isEditable } from './element-analysis';
import { isSensitiveField, maskText } from './masking';
import { maskUrl } from './mask-url';
import { isInPrivateBlock } from './private-block';
import { buildSelectorSet } from './selectors';
import { withDescribeScope } from './describe-scope';
import { describeContext } from './element-context';
import { neighbourhoodHtml } from './neighbourhood-html';
import { cleanText, truncate } from './text';
import { visibleText } from './visible-text';

export {
  analyzeElement,
  actionableTarget,
  interactiveAncestor,
  isDisabled,
  isEditable,
  INTERACTIVE_SELECTOR,
} from './element-analysis';
export { nearestHeadingText } from './element-context';
export { describeContext };
export { eventElement } from './dom';

/** What `text` says for an element inside a private block: that something was there, not what. */
export const MASKED_TEXT = 'masked';

// Form controls whose text content is a default value or option list, not a caption.
const CONTROL_TAGS = new Set(['input', 'textarea', 'select']);

/**
 * Describes the element an event happened on: tag, id, capped classes, name, type, role, accessible
 * name, visible text (whitespace-collapsed, masked, ≤ 200 chars; "masked" inside private blocks and
 * sensitive editable regions), href, bounding box, the shadow hosts and iframes leading to it, and its
 * selectors. Every free-text field passes through `maskText`.
 */
export function describeTarget(el: Element): Target {
  return withDescribeScope(() => describe(el));
}

/** The target and where it sits, described together: they share the answers about the same elements. */
export function describeTargetInContext(el: Element): { target: Target; context: ElementContext } {
  return withDescribeScope(() => ({ target: describe(el), context: describeContext(el) }));
}

/**
 * {@link describeTargetInContext} plus the HTML of the target's neighbourhood, for actions (clicks, value
 * changes, submits): the three share one scope, so the snippet reuses the answers the description found.
 */
export function describeActionTarget(el: Element): {
  target: Target;
  context: ElementContext;
  neighbourhoodHtml?: string;
} {
  return withDescribeScope(() => {
    const html = neighbourhoodHtml(el);
    return { target: describe(el), context: describeContext(el), ...(html ? { neighbourhoodHtml: html } : {}) };
  });
}

function describe(el: Element): Target {
  const isPrivate = isInPrivateBlock(el);
  const target: Target = {
    tag: truncate(el.localName, 64),
    classes: Array.from(el.classList)
      .slice(0, LIMITS.classes)
      .map((c) => truncate(c, LIMITS.label)),
    boundingBox: boundingBoxOf(el),
    shadowPath: shadowPathOf(el),
    framePath: framePathOf(el),
    selectors: buildSelectorSet(el),
  };
  const id = cleanText(maskText(el.getAttribute('id') ?? ''), LIMITS.label);
  if (id) target.id = id;
  const name = cleanText(maskText(el.getAttribute('name') ?? ''), LIMITS.label);
  if (name) target.name = name;
  const type = typeOf(el);
  if (type) target.type = type;
  const role = getRole(el);
  if (role) target.role = truncate(role, LIMITS.label);
  const accName = accessibleName(el, { fromContent: !isPrivate });
  if (accName) target.accessibleName = maskText(accName);
  const text = targetText(el, isPrivate);
  if (text) target.text = text;
  const href = hrefOf(el);
  if (href) target.href = href;
  return target;
}

function targetText(el: Element, isPrivate: boolean): string | undefined {
  if (isPrivate) return MASKED_TEXT;
  if (CONTROL_TAGS.has(el.localName)) return undefined;
  // A contenteditable region's text is what the user typed: it gets the same rules as a field value.
  if (isEditable(el) && isSensitiveField(el)) return MASKED_TEXT;
  const raw = visibleText(el, { maxChars: LIMITS.targetText * 2 });
  // Mask before cutting, so a card number straddling the cut is still recognised.
  return cleanText(maskText(raw), LIMITS.targetText);
}

function typeOf(el: Element): string | undefined {
  if (el.localName === 'input') return (el.getAttribute('type') ?? 'text').toLowerCase();
  if (el.localName === 'button') return (el.getAttribute('type') ?? 'submit').toLowerCase();
  if (el.localName === 'select') return el.hasAttribute('multiple') ? 'select-multiple' : 'select-one';
  const type = el.getAttribute('type');
  return type ? truncate(type, LIMITS.label) : undefined;
}

function hrefOf(el: Element): string | undefined {
  if (el.localName !== 'a' && el.localName !== 'area') return undefined;
  if (!el.hasAttribute('href')) return undefined;
  // The resolved absolute URL; `mailto:` links and tracking parameters may carry an email.
  const resolved: unknown = (el as HTMLAnchorElement).href;
  const href = typeof resolved === 'string' && resolved ? resolved : (el.getAttribute('href') ?? '');
  return href ? maskUrl(href) : undefined;
}

/** The element's border box in CSS pixels relative to its frame's viewport, rounded to 1/100 px. */
function boundingBoxOf(el: Element): Rect {
  const r = el.getBoundingClientRect();
  return { x: round(r.left), y: round(r.top), width: round(r.width), height: round(r.height) };
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : 0;
}

/** Selectors of the shadow hosts around `el`, outermost first, each unique in its own root. */
function shadowPathOf(el: Element): string[] {
  const hosts: string[] = [];
  let root = el.getRootNode();
  while (isShadowRoot(root)) {
    hosts.unshift(buildCssSelector(root.host));
    root = root.host.getRootNode();
  }
  return hosts.slice(-LIMITS.pathDepth);
}

/**
 * Selectors of the iframes from the top document down to `el`'s frame, via `frameElement`. Empty when any
 * ancestor frame is cross-origin (its `frameElement` is null): a partial path would point at the wrong frame.
 */
export function framePathOf(el: Element): string[] {
  const frames: string[] = [];
  let win = windowOf(el);
  try {
    while (win && win.parent && win.parent !== win) {
      const frame = win.frameElement;
      if (!frame) return [];
      frames.unshift(buildCssSelector(frame));
      win = win.parent as Window & typeof globalThis;
    }
  } catch {
    return [];
  }
  return frames.slice(-LIMITS.pathDepth);
}
