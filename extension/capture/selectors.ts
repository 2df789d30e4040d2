import type { SelectorSet } from '@codesight/schema';
import { accessibleName, getRole } from './accessible-name';
import { buildCssSelector } from './css-selector';
import { isDocument, rootOf } from './dom';
import { quotedName } from './escape';
import { liveTagCollection } from './live-counts';
import { maskText } from './mask-text';
import { collapseWhitespace } from './text';
import { isInPrivateBlock } from './private-block';
import { visibleTextInfo } from './visible-text';
import { buildXPath } from './xpath';

export { buildCssSelector, matchesOnly, positionalPath, TEST_ATTRIBUTES } from './css-selector';
export { buildXPath } from './xpath';

/** A `text=` selector is only offered for text at most this long; longer text is a paragraph, not a label. */
const MAX_SELECTOR_TEXT = 80;

// Elements compared when checking that a text is unique; beyond this the check costs too much per click
// and the text selector is left out.
const MAX_TEXT_COMPARISONS = 1500;

// Form controls: their text content is options or a default value, not a label to find them by.
const TEXTLESS_TAGS = new Set(['input', 'select', 'textarea', 'option', 'html', 'body', 'head']);

// Descendants that make an element a container rather than a labelled thing.
const STRUCTURE_SELECTOR =
  'div,p,li,ul,ol,dl,table,section,article,aside,header,footer,nav,main,form,h1,h2,h3,h4,h5,h6,button,a[href],input,select,textarea,label';

// Roles whose name says nothing to find an element by (layout containers).
const UNNAMEABLE_ROLES = new Set(['presentation', 'none', 'generic']);

/**
 * Every way we offer to find `el` again: a unique CSS selector, an XPath, a Playwright-style aria
 * selector (role + accessible name) and a text selector when the text is short and unique among elements
 * of the same tag. Names and texts containing an email or card number, and anything in a private block,
 * are never put into a selector.
 */
export function buildSelectorSet(el: Element): SelectorSet {
  const set: SelectorSet = { css: buildCssSelector(el), xpath: buildXPath(el) };
  if (isInPrivateBlock(el)) return set;
  const aria = buildAriaSelector(el);
  if (aria) set.aria = aria;
  const text = buildTextSelector(el);
  if (text) set.text = text;
  return set;
}

/** `role=button[name="Add to cart"]` when the element has a role and an accessible name; else undefined. */
function buildAriaSelector(el: Element): string | undefined {
  const role = getRole(el);
  if (!role || UNNAMEABLE_ROLES.has(role)) return undefined;
  const name = accessibleName(el);
  if (!name || maskText(name) !== name) return undefined;
  return `role=${role}[name=${quotedName(name)}]`;
}

/**
 * `text=Add to cart` when the element's visible text is complete, ≤ 80 characters, not made of nested
 * blocks or controls (a <header> is not found by its text), and no other same-tag element has it.
 */
export function buildTextSelector(el: Element): string | undefined {
  if (TEXTLESS_TAGS.has(el.localName) || el.querySelector(STRUCTURE_SELECTOR)) return undefined;
  if (el.shadowRoot?.querySelector(STRUCTURE_SELECTOR)) return undefined;
  const text = shortText(el);
  if (!text || maskText(text) !== text) return undefined;
  const root = rootOf(el);
  if (!root) return undefined;
  // A document's live collection keeps its count until elements come or go: the bound costs nothing.
  const sameTag: ArrayLike<Element> = isDocument(root)
    ? liveTagCollection(root, el.localName)
    : root.querySelectorAll(el.localName);
  if (sameTag.length > MAX_TEXT_COMPARISONS) return undefined;
  const wanted = text.toLowerCase();
  for (let i = 0; i < sameTag.length; i++) {
    const other = sameTag[i]!;
    if (other !== el && shortTextOf(other)?.toLowerCase() === wanted) return undefined;
  }
  return `text=${text}`;
}

/**
 * {@link shortText}, without the walk for the common leaf: an element holding one text node (no shadow
 * root, not a slot) shows exactly that text, collapsed.
 */
function shortTextOf(el: Element): string | undefined {
  if (el.firstChild !== el.lastChild || el.childElementCount > 0 || el.shadowRoot || el.localName === 'slot')
    return shortText(el);
  const text = collapseWhitespace(el.textContent ?? '');
  return text !== '' && text.length <= MAX_SELECTOR_TEXT ? text : undefined;
}

/** The element's whole visible text if it is at most {@link MAX_SELECTOR_TEXT} characters, else undefined. */
function shortText(el: Element): string | undefined {
  const { text, complete } = visibleTextInfo(el, { maxChars: MAX_SELECTOR_TEXT });
  return complete && text !== '' ? text : undefined;
}
