import { remembered } from './describe-scope';
import { closestComposed } from './dom';

/**
 * Marks a site (or the worker's own tooling) puts on a subtree whose content must never be recorded.
 * `data-private` is the common convention (rrweb, PostHog use the same idea); `data-codesight-block` is ours.
 * Presence is enough: `data-private="false"` still counts, because guessing intent is the unsafe choice.
 */
export const PRIVATE_BLOCK_SELECTOR = '[data-private],[data-codesight-block]';

/** Whether `el` is, or lies inside (across shadow boundaries), a private block. */
export function isInPrivateBlock(el: Element): boolean {
  return remembered(el, 'private', () => closestComposed(el, PRIVATE_BLOCK_SELECTOR) !== null);
}

/** Whether `el` itself is a private-block root (used to skip subtrees while collecting text). */
export function isPrivateBlockRoot(el: Element): boolean {
  return el.hasAttribute('data-private') || el.hasAttribute('data-codesight-block');
}
