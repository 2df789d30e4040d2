import { remembered } from './describe-scope';
import { closestComposed } from './dom';
import { appliedPrivacyPolicy } from './privacy-policy';

/**
 * Marks a site (or the worker's own tooling) puts on a subtree whose content must never be recorded.
 * `data-private` is the common convention (rrweb, PostHog use the same idea); `data-codesight-block` is ours.
 * Presence is enough: `data-private="false"` still counts, because guessing intent is the unsafe choice.
 * The deployment's privacy policy may add selectors of its own (rule `policy-block`): see
 * {@link blockSelector}.
 */
export const PRIVATE_BLOCK_SELECTOR = '[data-private],[data-codesight-block]';

/** Which block `el` lies in, if any: the built-in marks first, then the deployment's selectors. */
export function privateBlockRule(el: Element): 'private-block' | 'policy-block' | undefined {
  return remembered(el, 'private', () => {
    if (closestComposed(el, PRIVATE_BLOCK_SELECTOR) !== null) return 'private-block';
    const extra = appliedPrivacyPolicy().extraBlockSelector;
    return extra !== undefined && closestComposed(el, extra) !== null ? 'policy-block' : undefined;
  });
}

/** Whether `el` is, or lies inside (across shadow boundaries), a private block. */
export function isInPrivateBlock(el: Element): boolean {
  return privateBlockRule(el) !== undefined;
}

/** Whether `el` itself is a private-block root (used to skip subtrees while collecting text). */
export function isPrivateBlockRoot(el: Element): boolean {
  if (el.hasAttribute('data-private') || el.hasAttribute('data-codesight-block')) return true;
  const extra = appliedPrivacyPolicy().extraBlockSelector;
  return extra !== undefined && el.matches(extra);
}

/** Every block root under the applied policy: the built-in marks and the deployment's selectors. */
export function blockSelector(): string {
  const extra = appliedPrivacyPolicy().extraBlockSelector;
  return extra === undefined ? PRIVATE_BLOCK_SELECTOR : `${PRIVATE_BLOCK_SELECTOR},${extra}`;
}
