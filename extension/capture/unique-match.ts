import { isDocument, type SelectorRoot } from './dom';
import { liveCount } from './live-counts';

/**
 * A selector is proved unique by listing its matches; listing thousands of matching cards is what a
 * click on a big page must not cost. Past this many possible matches the candidate is given up (a
 * positional step will tell the element apart instead).
 */
const MAX_LISTED_MATCHES = 64;

/**
 * How many elements of `root` can match a compound of `tag` and `classes` at most: the smallest of the
 * tag's and each class's counts. Read from the root's live collections, which the browser caches until
 * the tree changes, so on a quiet page this costs no traversal at all. Undefined in shadow roots (no
 * such collections there; shadow trees are small).
 */
export function matchBound(
  root: SelectorRoot,
  tag: string | undefined,
  classes: readonly string[] = [],
): number | undefined {
  if (!isDocument(root)) return undefined;
  let bound = tag ? liveCount(root, 'tag', tag) : Number.POSITIVE_INFINITY;
  for (const name of classes) bound = Math.min(bound, liveCount(root, 'class', name));
  return Number.isFinite(bound) ? bound : undefined;
}

/**
 * Whether `selector` matches `el` and nothing else in `root`, false for selectors the engine rejects.
 * Cheap rejections first: `el` must match, and must be the first match in document order (the search
 * stops there — in a grid of identical cards, at the first card). Only then are the matches listed, and
 * only when `boundOf` (see {@link matchBound}) says there can be few.
 */
export function isUniqueMatch(
  root: SelectorRoot,
  selector: string,
  el: Element,
  boundOf: () => number | undefined = () => undefined,
): boolean {
  try {
    if (!el.matches(selector)) return false;
    if (root.querySelector(selector) !== el) return false;
    // Read only now: a class count is recounted after any class change in the page (every click, on many).
    const bound = boundOf();
    if (bound !== undefined && bound <= 1) return true;
    if (bound !== undefined && bound > MAX_LISTED_MATCHES) return false;
    return root.querySelectorAll(selector).length === 1;
  } catch {
    return false;
  }
}

/** {@link isUniqueMatch} within the subtree of `scope` (descendants only), for selectors under a unique anchor. */
export function isUniqueWithin(
  scope: Element,
  selector: string,
  el: Element,
  boundOf: () => number | undefined = () => undefined,
): boolean {
  try {
    if (!el.matches(selector) || !scope.contains(el)) return false;
    if (scope.querySelector(selector) !== el) return false;
    const bound = boundOf();
    if (bound !== undefined && bound <= 1) return true;
    if (bound !== undefined && bound > MAX_LISTED_MATCHES) return false;
    return scope.querySelectorAll(selector).length === 1;
  } catch {
    return false;
  }
}
