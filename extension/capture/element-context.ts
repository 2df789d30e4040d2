import { LIMITS, type ElementContext } from '@codesight/schema';
import { accessibleName, getRole } from './accessible-name';
import { buildCssSelector } from './css-selector';
import { withDescribeScope } from './describe-scope';
import { closestComposed, composedParent, isElement } from './dom';
import { maskText } from './mask-text';
import { maskUrl } from './mask-url';
import { isInPrivateBlock } from './private-block';
import { cleanText } from './text';
import { visibleText } from './visible-text';

// Landmark roles (WAI-ARIA) and the tags that imply them; header/footer only at page level (see getRole).
const LANDMARK_ROLES = new Set([
  'main',
  'navigation',
  'banner',
  'contentinfo',
  'complementary',
  'form',
  'region',
  'search',
]);

const HEADING_SELECTOR = 'h1,h2,h3,h4,h5,h6,[role="heading"]';

// Bounds for the backwards heading search, so a click deep in a huge list stays cheap.
const MAX_SIBLINGS_PER_LEVEL = 50;
const MAX_LEVELS = 25;

// Sectioning elements: the nearest heading is looked for inside them, never past them.
const SECTIONING_TAGS = new Set(['article', 'section', 'aside', 'nav', 'main', 'dialog', 'body']);

/**
 * Where `el` sits: its form (associated or enclosing), its nearest landmark (by role or tag, across
 * shadow hosts), and the text of the nearest heading before it in its section. Names and heading are
 * masked; nothing is taken from private blocks.
 */
export function describeContext(el: Element): ElementContext {
  return withDescribeScope(() => contextOf(el));
}

function contextOf(el: Element): ElementContext {
  const context: ElementContext = {};
  const form = formOf(el);
  if (form) {
    // `form.action` can be clobbered by a control named "action": only trust a string.
    const resolved: unknown = (form as HTMLFormElement).action;
    const action = form.getAttribute('action') !== null && typeof resolved === 'string' ? resolved : undefined;
    context.form = {
      selector: buildCssSelector(form),
      ...optional('id', cleanText(maskText(form.getAttribute('id') ?? ''), LIMITS.label)),
      ...optional('name', cleanText(maskText(form.getAttribute('name') ?? ''), LIMITS.label)),
      ...optional('action', action ? maskUrl(action) : undefined),
    };
  }
  const landmark = nearestLandmark(el);
  if (landmark) {
    const name = isInPrivateBlock(landmark.el) ? undefined : accessibleName(landmark.el, { fromContent: false });
    context.landmark = {
      role: landmark.role,
      ...optional('name', name ? maskText(name) : undefined),
      selector: buildCssSelector(landmark.el),
    };
  }
  const heading = nearestHeadingText(el);
  if (heading) context.heading = heading;
  return context;
}

function formOf(el: Element): Element | null {
  // Controls know their form even outside it (form="id"); a control named "form" clobbers `form.form`.
  const associated: unknown = (el as HTMLInputElement).form;
  if (isElement(associated) && associated.localName === 'form') return associated;
  return closestComposed(el, 'form');
}

/** The nearest landmark around `el` (not `el` itself: a submitted form sits in main, it is not its own context). */
function nearestLandmark(el: Element): { el: Element; role: string } | undefined {
  for (let current = composedParent(el); current; current = composedParent(current)) {
    const role = getRole(current);
    if (role && LANDMARK_ROLES.has(role)) return { el: current, role };
  }
  return undefined;
}

/** Text of the closest heading at or before `el` in document order, searching up to the enclosing section. */
export function nearestHeadingText(el: Element): string | undefined {
  const heading = findHeading(el);
  if (!heading || isInPrivateBlock(heading)) return undefined;
  return cleanText(maskText(visibleText(heading, { maxChars: LIMITS.targetText * 2 })), LIMITS.targetText);
}

function findHeading(el: Element): Element | undefined {
  const own = closestComposed(el, HEADING_SELECTOR);
  if (own) return own;
  let node: Element | null = el;
  for (let level = 0; node && level < MAX_LEVELS; level++) {
    let sibling = node.previousElementSibling;
    for (let i = 0; sibling && i < MAX_SIBLINGS_PER_LEVEL; i++, sibling = sibling.previousElementSibling) {
      if (sibling.matches(HEADING_SELECTOR)) return sibling;
      // A sibling section's headings title that section, not what follows it.
      if (SECTIONING_TAGS.has(sibling.localName)) continue;
      // Most siblings hold no heading: the early-exit search says so without building a list.
      if (sibling.firstElementChild === null || sibling.querySelector(HEADING_SELECTOR) === null) continue;
      const inside = sibling.querySelectorAll(HEADING_SELECTOR);
      const last = inside[inside.length - 1];
      if (last) return last;
    }
    const parent = composedParent(node);
    if (parent && SECTIONING_TAGS.has(parent.localName)) {
      // The section's own leading heading may be the parent's first child, already searched above.
      return undefined;
    }
    node = parent;
  }
  return undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
