import type { SelectorRoot } from './dom';

/**
 * Whether `selector` matches `el` and nothing else in `root`, false for selectors the engine rejects.
 * No check lists the matches (in a grid of 3,000 identical cards that list is the cost of a click):
 * `el` must match, must be the first match in document order (the search stops at the first card), and
 * no match may be left once `el` is excluded by `self()` — a selector that matches `el` alone (its
 * positional path, asked for only when needed) — in a search that also stops at the first hit. A unique selector thus costs two
 * traversals without allocation, a repeated one usually a few nodes. Without `self` (shadow roots, whose
 * trees are small), or where the engine rejects `:not()` of a complex selector, the matches are listed.
 */
export function isUniqueMatch(root: SelectorRoot, selector: string, el: Element, self?: () => string): boolean {
  return isUniqueIn(root, selector, el, self);
}

/** {@link isUniqueMatch} within the subtree of `scope` (descendants only), for selectors under a unique anchor. */
export function isUniqueWithin(scope: Element, selector: string, el: Element, self?: () => string): boolean {
  return scope.contains(el) && scope !== el && isUniqueIn(scope, selector, el, self);
}

function isUniqueIn(
  scope: SelectorRoot | Element,
  selector: string,
  el: Element,
  self: (() => string) | undefined,
): boolean {
  try {
    if (!el.matches(selector)) return false;
    if (scope.querySelector(selector) !== el) return false;
  } catch {
    return false;
  }
  if (self) {
    try {
      const others = `${selector}:not(${self()})`;
      // Trusted only when the engine does exclude `el` (DOM emulations may ignore a complex :not()).
      if (!el.matches(others)) return scope.querySelector(others) === null;
    } catch {
      // An engine without complex :not(): list the matches below.
    }
  }
  try {
    return scope.querySelectorAll(selector).length === 1;
  } catch {
    return false;
  }
}
