import { finder } from '@medv/finder';
import { LIMITS } from '@codesight/schema';
import { cssEscape, cssString } from './escape';
import { isShadowRoot, rootOf, type SelectorRoot } from './dom';
import { maskText } from './mask-text';
import { isInPrivateBlock } from './private-block';
import { isStableAttrValue, isStableClass, isStableId } from './stable-tokens';

type AttrFilter = (attr: string) => boolean;

/** Attributes test suites put on elements precisely so selectors survive redesigns: the best anchors. */
export const TEST_ATTRIBUTES = ['data-testid', 'data-test-id', 'data-test', 'data-qa', 'data-cy'] as const;

// Attributes that describe what an element is (not its state or looks), tried in short combinations.
// Never `value`: on inputs it can hold what the user typed.
const DESCRIPTIVE_ATTRIBUTES = ['role', 'type', 'placeholder', 'title', 'alt', 'for', 'href'] as const;

// Attributes the finder fallback may combine at any level of the path.
const FINDER_ATTRIBUTES = new Set<string>([...TEST_ATTRIBUTES, 'name', 'aria-label', ...DESCRIPTIVE_ATTRIBUTES]);

// Attributes that may carry user content (an avatar's alt, a profile link, a title with a name). For
// elements in a private block they are never copied into a selector.
const CONTENT_ATTRIBUTES = new Set(['aria-label', 'title', 'alt', 'href', 'placeholder']);

// Classes tried per element in combinations; more makes the search quadratic for little gain.
const MAX_CLASSES_TRIED = 4;

// How far up the anchored strategy looks for an ancestor with a test id or a stable id.
const MAX_ANCHOR_DEPTH = 8;

// The finder search is combinatorial; this bounds the time a click handler can spend in it. On timeout
// finder itself falls back to an nth-of-type path.
const FINDER_TIMEOUT_MS = 50;
const FINDER_MAX_PATH_CHECKS = 2000;

/**
 * A CSS selector that matches exactly `el` within its document or shadow root, preferring what survives
 * page changes: test attributes, then a stable id, then name / aria-label, then short class/attribute
 * combinations (alone or under an anchored ancestor), then @medv/finder restricted to stable tokens, and
 * only then an nth-of-type chain from the root. Every candidate is verified with `querySelectorAll`.
 */
export function buildCssSelector(el: Element): string {
  const root = rootOf(el);
  if (!root) return positionalPath(el, undefined);
  const isUnique = (selector: string) => selector.length <= LIMITS.selector && matchesOnly(root, selector, el);
  const allowed = isInPrivateBlock(el) ? (attr: string) => !CONTENT_ATTRIBUTES.has(attr) : () => true;

  for (const candidate of ownCandidates(el, allowed)) {
    if (isUnique(candidate)) return candidate;
  }
  const anchored = anchoredSelector(el, root, isUnique, allowed);
  if (anchored) return anchored;
  const found = finderSelector(el, root, allowed);
  if (found && isUnique(found)) return found;
  const path = positionalPath(el, root);
  // In a shadow root the chain's first step could also match deeper elements; `:host >` pins it to the
  // top level (browsers support it in shadowRoot.querySelectorAll, some emulations do not).
  if (isShadowRoot(root) && isUnique(`:host > ${path}`)) return `:host > ${path}`;
  return path;
}

/** Whether `selector` matches `el` and nothing else in `root` (false for selectors the engine rejects). */
export function matchesOnly(root: SelectorRoot, selector: string, el: Element): boolean {
  try {
    const matches = root.querySelectorAll(selector);
    return matches.length === 1 && matches[0] === el;
  } catch {
    return false;
  }
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
}

/** Short simple selectors for `el` used under an anchor: tag alone, tag + one token. */
function* simpleSelectors(el: Element, allowed: AttrFilter): Generator<string> {
  const tag = cssEscape(el.localName);
  yield tag;
  for (const token of descriptiveTokens(el, allowed)) yield `${tag}${token}`;
  const name = el.getAttribute('name');
  if (name && isStableAttrValue(name) && safeValue(name)) yield `${tag}[name=${cssString(name)}]`;
}

/** Stable class tokens and descriptive attribute tokens of `el`. */
function descriptiveTokens(el: Element, allowed: AttrFilter): string[] {
  const tokens: string[] = [];
  for (const name of Array.from(el.classList)) {
    if (tokens.length >= MAX_CLASSES_TRIED) break;
    if (isStableClass(name)) tokens.push(`.${cssEscape(name)}`);
  }
  for (const attr of DESCRIPTIVE_ATTRIBUTES) {
    if (!allowed(attr)) continue;
    const value = el.getAttribute(attr);
    if (value && isStableAttrValue(value) && safeValue(value)) tokens.push(`[${attr}=${cssString(value)}]`);
  }
  return tokens;
}

/**
 * `<anchor> <simple>` where the anchor is the nearest ancestor with a test attribute or stable id:
 * `[data-testid="product-3"] button.add` beats any positional path inside repeated cards.
 */
function anchoredSelector(
  el: Element,
  root: SelectorRoot,
  isUnique: (s: string) => boolean,
  allowed: AttrFilter,
): string | undefined {
  let ancestor = el.parentElement;
  for (let depth = 0; ancestor && depth < MAX_ANCHOR_DEPTH; depth++, ancestor = ancestor.parentElement) {
    const anchor = anchorSelector(ancestor, root);
    if (!anchor) continue;
    for (const simple of simpleSelectors(el, allowed)) {
      const candidate = `${anchor} ${simple}`;
      if (isUnique(candidate)) return candidate;
    }
    const relative = positionalPath(el, root, ancestor);
    const candidate = `${anchor} > ${relative}`;
    if (isUnique(candidate)) return candidate;
    // The nearest anchor is the most specific; further ones would only give longer selectors.
    return undefined;
  }
  return undefined;
}

function anchorSelector(el: Element, root: SelectorRoot): string | undefined {
  for (const attr of TEST_ATTRIBUTES) {
    const value = el.getAttribute(attr);
    if (value && safeValue(value)) {
      const selector = `[${attr}=${cssString(value)}]`;
      if (matchesOnly(root, selector, el)) return selector;
    }
  }
  const id = el.getAttribute('id');
  if (id && isStableId(id) && safeValue(id)) {
    const selector = `#${cssEscape(id)}`;
    if (matchesOnly(root, selector, el)) return selector;
  }
  return undefined;
}

/** @medv/finder with our notion of stable ids, classes and attributes; undefined when it gives up. */
function finderSelector(el: Element, root: SelectorRoot, allowed: AttrFilter): string | undefined {
  try {
    return finder(el, {
      // finder accepts any querySelectorAll-capable root; its type says Element.
      root: root as unknown as Element,
      idName: (name) => isStableId(name) && safeValue(name),
      className: isStableClass,
      attr: (name, value) =>
        FINDER_ATTRIBUTES.has(name) && allowed(name) && isStableAttrValue(value) && safeValue(value),
      timeoutMs: FINDER_TIMEOUT_MS,
      maxNumberOfPathChecks: FINDER_MAX_PATH_CHECKS,
    });
  } catch {
    // finder throws when CSS.escape is missing, on timeouts without fallback and on engines that reject
    // its selectors: the positional path below always exists.
    return undefined;
  }
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
    const siblings = parent ? Array.from(parent.children).filter((c) => c.localName === current!.localName) : [];
    steps.unshift(siblings.length > 1 ? `${tag}:nth-of-type(${siblings.indexOf(current) + 1})` : tag);
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
