/**
 * Heuristics for "will this id / class / attribute value be the same on the next page load?". A selector
 * built from a generated token finds nothing tomorrow, so generated-looking tokens are never used.
 */

// Ids and classes that frameworks generate from counters or hashes: React useId (":r3:", "«r3»"), Ember
// ("ember123"), ExtJS, YUI, GWT, JSF, MUI/Radix/Headless UI/Downshift/react-select/Angular CDK counters,
// JSS/emotion/styled-components/styled-jsx/svelte class hashes.
const GENERATED_PREFIX =
  /^(?:ember\d|ext-(?:gen|comp|element)|yui_|gwt-|j_idt|mui-\d|react-select-\d|headlessui-|radix-|downshift-|rc-tabs-|rc_select_|__bvid__|el-id-|jss\d|css-[a-z0-9]*\d|sc-|svelte-|jsx-\d|ng-tns-|cdk-|mat-[a-z-]+-\d|makestyles-|tw-[a-z0-9]*\d)/i;

// State classes come and go with hover, focus, selection and animation; a selector needing them breaks.
const STATE_CLASS =
  /^(?:(?:is|has)-.+|active|selected|focus(?:ed)?|focus-visible|focus-within|hover(?:ed)?|open(?:ed)?|closed|expanded|collapsed|checked|disabled|visible|hidden|show|shown|in|fade|current|loading|loaded|ng-(?:touched|untouched|pristine|dirty|valid|invalid|pending|star-inserted|animating|hide)|router-link-(?:exact-)?active)$/i;

// Longer than this is not a hand-written identifier, and would bloat every selector built from it.
const MAX_TOKEN_LENGTH = 64;

/** Whether a token looks generated (counter, hash, random id) rather than written by a developer. */
export function looksGenerated(token: string): boolean {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return true;
  // A leading digit is a database key or counter (and is not a valid CSS identifier start).
  if (/^\d/.test(token)) return true;
  if (/[:«»]/.test(token)) return true;
  if (GENERATED_PREFIX.test(token)) return true;
  // Six digits in a row: timestamps, long counters, database ids.
  if (/\d{6,}/.test(token)) return true;
  for (const segment of token.split(/[-_.\s]+/)) {
    // Hex hashes and UUID parts: 8+ hex characters with at least one digit ("deadbeef" alone is a word).
    if (segment.length >= 8 && /^[0-9a-f]+$/i.test(segment) && /\d/.test(segment)) return true;
    // Random base-36/62 strings ("x7Fk2Lq9", "a1b2c3"): digits and letters alternate three or more times.
    if (segment.length >= 5 && (segment.match(/\d+|[a-z]+/gi)?.length ?? 0) >= 5) return true;
  }
  return false;
}

/** Whether an id is worth anchoring a selector on: present, not generated. */
export function isStableId(id: string): boolean {
  return !looksGenerated(id);
}

/**
 * Whether a class name is worth using in a selector: not generated, not a state class, and free of the
 * punctuation of utility frameworks ("hover:bg-blue-500", "w-1/2", "[mask:none]") that describes looks, not identity.
 */
export function isStableClass(name: string): boolean {
  if (/[:/[\]()@!%,]/.test(name)) return false;
  if (STATE_CLASS.test(name)) return false;
  return !looksGenerated(name);
}

// Attribute values longer than this (long hrefs with query strings, paragraph-long titles) are brittle.
const MAX_ATTR_VALUE_LENGTH = 80;

/** Whether an attribute value is short and hand-written enough to select by. */
export function isStableAttrValue(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed === '' || value.length > MAX_ATTR_VALUE_LENGTH || /[\n\r\t]/.test(value)) return false;
  // Values are prose ("Add to cart") or paths ("/product/3"): judge each word, not the whole string.
  return trimmed
    .split(/[\s/?&=#]+/)
    .filter(Boolean)
    .every((word) => !looksGenerated(word) || /^\d{1,5}$/.test(word));
}
