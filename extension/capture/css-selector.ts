import { LIMITS } from '@codesight/schema';
import { remembered } from './describe-scope';
import { cssEscape, cssString } from './escape';
import { isShadowRoot, rootOf, type SelectorRoot } from './dom';
import { maskText } from './mask-text';
import { isInPrivateBlock } from './private-block';
import { siblingPosition } from './sibling-position';
import { isStableAttrValue, isStableClass, isStableId } from './stable-tokens';
import { isUniqueMatch, isUniqueWithin } from './unique-match';

type AttrFilter = (attr: string) => boolean;

/** Attributes test suites put on elements precisely so selectors survive redesigns: the best anchors. */
export const TEST_ATTRIBUTES = ['data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-cy'] as const;

// Attributes that describe what an element is (not its state or looks), tried in short combinations.
// Never `value`: on inputs it can hold what the user typed.
const DESCRIPTIVE_ATTRIBUTES = ['role', 'type', 'placeholder', 'title', 'alt', 'for', 'href'] as const;

// Attributes that may carry user content (an avatar's alt, a profile link, a title with a name). For
// elements in a private block they are never copied into a selector.
const CONTENT_ATTRIBUTES = new Set(['aria-label', 'title', 'alt', 'href', 'placeholder']);

const ANY_ATTRIBUTE: AttrFilter = () => true;
const PUBLIC_ATTRIBUTES: AttrFilter = (attr) => !CONTENT_ATTRIBUTES.has(attr);

// Classes tried per element in combinations; more makes the search quadratic for little gain.
const MAX_CLASSES_TRIED = 4;

// How far up the anchored strategy looks for an ancestor with a test id or a stable id.
const MAX_ANCHOR_DEPTH = 8;

// Siblings compared when looking for a class that tells a step of the path apart; in longer sibling
// lists (a grid of cards, all alike) the step is positional at once.
const MAX_SIBLINGS_COMPARED = 32;

/**
 * A CSS selector that matches exactly `el` within its document or shadow root, preferring what survives
 * page changes: test attributes, then a stable id, then name / aria-label, then short class/attribute
 * combinations, then the same under the nearest anchored ancestor (test attribute or stable id), and only then a path of child steps from that anchor (or the root),
 * each told apart from its siblings by tag, class or, last, nth-of-type. The path is unique by
 * construction; every shorter candidate is verified by early-exit searches (see unique-match.ts): no
 * check lists thousands of matches, so the cost of a click does not grow with the page's repetitions.
 */
export function buildCssSelector(el: Element): string {
  const root = rootOf(el);
  if (!root) return positionalPath(el, undefined);
  const fits = (selector: string) => selector.length <= LIMITS.selector;
  const allowed = isInPrivateBlock(el) ? PUBLIC_ATTRIBUTES : ANY_ATTRIBUTE;
  // What excludes `el` itself in the uniqueness searches: its positional path, unique by construction
  // from a document's root element (in a shadow root the first step could match deeper: not used there).
  // Built only once a candidate gets that far: most are rejected by the first-match search.
  let positional: string | undefined;
  const self = isShadowRoot(root) ? undefined : () => (positional ??= positionalPath(el, root));

  for (const candidate of ownCandidates(el, allowed)) {
    if (fits(candidate) && isUniqueMatch(root, candidate, el, self)) return candidate;
  }
  const anchor = nearestAnchor(el, root);
  if (anchor) {
    for (const simple of simpleSelectors(el, allowed)) {
      const selector = `${anchor.selector} ${simple}`;
      if (fits(selector) && isUniqueWithin(anchor.el, simple, el, self)) return selector;
    }
    const anchored = `${anchor.selector} > ${stepPath(el, root, anchor.el)}`;
    if (fits(anchored)) return anchored;
  }
  const path = stepPath(el, root, undefined);
  // In a shadow root the chain's first step could also match deeper elements; `:host >` pins it to the
  // top level (browsers support it in shadowRoot.querySelectorAll, some emulations do not).
  if (isShadowRoot(root) && isUniqueMatch(root, `:host > ${path}`, el)) return `:host > ${path}`;
  return fits(path) ? path : positionalPath(el, root);
}

/** Whether `selector` matches `el` and nothing else in `root` (false for selectors the engine rejects). */
export function matchesOnly(root: SelectorRoot, selector: string, el: Element): boolean {
  return isUniqueMatch(root, selector, el);
}

/** Candidates using only the element's own attributes, best first. */
function* ownCandidates(el: Element, allowed: AttrFilter): Generator<string> {
  const tag = cssEscape(el.localName);
  for (const attr of TEST_ATTRIBUTES) {
    const value = el.getAttribute(attr);
    if (value && safeValue(value)) {
      yield `[${attr}=${cssString(value)}]`;
      yield `${tag}[${attr}=${cssString(value)}]`;
    }
  }
  const id = el.getAttribute('id');
  if (id && isStableId(id) && safeValue(id)) yield `#${cssEscape(id)}`;

  const name = el.getAttribute('name');
  if (name && isStableAttrValue(name) && safeValue(name)) {
    const byName = `${tag}[name=${cssString(name)}]`;
    yield byName;
    // Radio groups share a name; the option's value is the page's, not typed by the user.
    const value = el.getAttribute('value');
    if (isCheckable(el) && value && isStableAttrValue(value) && safeValue(value))
      yield `${byName}[value=${cssString(value)}]`;
  }
  const label = el.getAttribute('aria-label');
  if (label && allowed('aria-label') && isStableAttrValue(label) && safeValue(label))
    yield `${tag}[aria-label=${cssString(label)}]`;

  const tokens = descriptiveTokens(el, allowed);
  for (const token of tokens) yield `${tag}${token}`;
  for (let i = 0; i < tokens.length; i++) {
    for (let j = i + 1; j < tokens.length; j++) yield `${tag}${tokens[i]}${tokens[j]}`;
  }
  // The only <main> or <shop-checkout-button> of the page needs nothing more.
  yield tag;
}

/** Short simple selectors for `el` used under an anchor: tag alone, tag + one token. */
function* simpleSelectors(el: Element, allowed: AttrFilter): Generator<string> {
  const tag = cssEscape(el.localName);
  yield tag;
  for (const token of descriptiveTokens(el, allowed)) yield `${tag}${token}`;
  const name = el.getAttribute('name');
  if (name && isStableAttrValue(name) && safeValue(name)) yield `${tag}[name=${cssString(name)}]`;
}

/** Stable class tokens and descriptive attribute tokens of `el` (own candidates and anchored ones ask both). */
function descriptiveTokens(el: Element, allowed: AttrFilter): string[] {
  return remembered(el, allowed === ANY_ATTRIBUTE ? 'tokens' : 'public tokens', () => tokensOf(el, allowed));
}

function tokensOf(el: Element, allowed: AttrFilter): string[] {
  const tokens = stableClasses(el).map((name) => `.${cssEscape(name)}`);
  for (const attr of DESCRIPTIVE_ATTRIBUTES) {
    if (!allowed(attr)) continue;
    const value = el.getAttribute(attr);
    if (value && isStableAttrValue(value) && safeValue(value)) tokens.push(`[${attr}=${cssString(value)}]`);
  }
  return tokens;
}

function stableClasses(el: Element): string[] {
  return remembered(el, 'stable classes', () => stableClassesOf(el));
}

function stableClassesOf(el: Element): string[] {
  const out: string[] = [];
  for (const name of Array.from(el.classList)) {
    if (out.length >= MAX_CLASSES_TRIED) break;
    if (isStableClass(name)) out.push(name);
  }
  return out;
}

/**
 * The nearest ancestor (within {@link MAX_ANCHOR_DEPTH}) with a test attribute or stable id that finds it
 * alone in the root: `[data-testid="product-3"] button.add` beats any positional path inside repeated
 * cards. Not a class seen once: proving that needs the document's class count, which every class change
 * (a page marking what was clicked) makes the browser recount.
 */
function nearestAnchor(el: Element, root: SelectorRoot): { el: Element; selector: string } | undefined {
  let ancestor = el.parentElement;
  for (let depth = 0; ancestor && depth < MAX_ANCHOR_DEPTH; depth++, ancestor = ancestor.parentElement) {
    const selector = anchorSelector(ancestor, root);
    if (selector) return { el: ancestor, selector };
  }
  return undefined;
}

function anchorSelector(el: Element, root: SelectorRoot): string | undefined {
  for (const attr of TEST_ATTRIBUTES) {
    const value = el.getAttribute(attr);
    if (value && safeValue(value)) {
      const selector = `[${attr}=${cssString(value)}]`;
      if (isUniqueMatch(root, selector, el, isShadowRoot(root) ? undefined : () => positionalPath(el, root)))
        return selector;
    }
  }
  const id = el.getAttribute('id');
  if (id && isStableId(id) && safeValue(id)) {
    const selector = `#${cssEscape(id)}`;
    if (isUniqueMatch(root, selector, el)) return selector;
  }
  return undefined;
}

/**
 * `div.list > li:nth-of-type(37) > button.add`: child steps from below `stopAt` (or from the root) down to
 * `el`, each matching exactly one child of its parent — by tag when no sibling shares it, else by a
 * stable class no same-tag sibling has, else by nth-of-type. Unique by construction below a unique start.
 */
function stepPath(el: Element, root: SelectorRoot, stopAt: Element | undefined): string {
  const steps: string[] = [];
  let current: Element | null = el;
  while (current && current !== stopAt) {
    steps.unshift(stepOf(current));
    const parent: ParentNode | null = current.parentNode;
    if (!parent || parent === root || !current.parentElement) break;
    current = current.parentElement;
  }
  return steps.join(' > ');
}

function stepOf(el: Element): string {
  const tag = cssEscape(el.localName);
  const { index, count } = siblingPosition(el);
  if (count <= 1) return tag;
  if (count <= MAX_SIBLINGS_COMPARED) {
    for (const name of stableClasses(el)) {
      if (onlySameTagSiblingWith(el, name)) return `${tag}.${cssEscape(name)}`;
    }
  }
  return `${tag}:nth-of-type(${index})`;
}

function onlySameTagSiblingWith(el: Element, className: string): boolean {
  for (let sibling = el.parentNode?.firstElementChild ?? null; sibling; sibling = sibling.nextElementSibling) {
    if (sibling !== el && sibling.localName === el.localName && sibling.classList.contains(className)) return false;
  }
  return true;
}

/**
 * `html > body > main > div:nth-of-type(3) > button` from the root (or from below `stopAt`) down to `el`.
 * Unique by construction in a document; nth-of-type appears only where same-tag siblings exist.
 */
export function positionalPath(el: Element, root: SelectorRoot | undefined, stopAt?: Element): string {
  const steps: string[] = [];
  let current: Element | null = el;
  while (current && current !== stopAt) {
    const parent: ParentNode | null = current.parentNode;
    const tag = cssEscape(current.localName);
    const { index, count } = siblingPosition(current);
    steps.unshift(count > 1 ? `${tag}:nth-of-type(${index})` : tag);
    if (!parent || parent === root || !current.parentElement) break;
    current = current.parentElement;
  }
  return steps.join(' > ');
}

function isCheckable(el: Element): boolean {
  const type = (el.getAttribute('type') ?? '').toLowerCase();
  return el.localName === 'input' && (type === 'radio' || type === 'checkbox');
}

// An attribute value holding an email or card number would copy it into the selector: never use it.
function safeValue(value: string): boolean {
  return maskText(value) === value;
}
