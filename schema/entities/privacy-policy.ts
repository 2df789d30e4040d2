import * as v from 'valibot';
import { boundedArray } from '../core/bounded';

/**
 * The privacy policy an operator chooses for a deployment (issue 14). The server serves it after
 * authentication; the extension keeps its last copy and applies it in the page, offline too, and uses
 * {@link STANDARD_PRIVACY_POLICY} when it never reached a server.
 *
 * - `standard`: the field rules (passwords, contact, payment, ids, names, addresses, birthdays) and the
 *   free-text detectors; other typed values are stored (with what the detectors find replaced).
 * - `strict`: every typed value is masked except on the fields {@link STRICT_ALLOWED} describes, and
 *   screenshots paint over every input box.
 * Both take the deployment's additions: extra CSS selectors whose subtrees are blocked like
 * `[data-private]`, and extra field names whose values are never stored.
 */
export const PRIVACY_MODES = ['standard', 'strict'] as const;
export const PrivacyModeSchema = v.picklist(PRIVACY_MODES);
export type PrivacyMode = v.InferOutput<typeof PrivacyModeSchema>;

/**
 * Bounds on the deployment's additions. Every block selector is matched against each element a capture
 * describes (its ancestors included), so their number and length are what the page pays per event.
 */
export const PRIVACY_POLICY_LIMITS = {
  blockSelectors: 32,
  selectorChars: 256,
  maskFields: 64,
  fieldNameChars: 64,
} as const;

const BlockSelectorSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'a block selector must not be empty'),
  v.maxLength(
    PRIVACY_POLICY_LIMITS.selectorChars,
    `a block selector is at most ${PRIVACY_POLICY_LIMITS.selectorChars} characters`,
  ),
);

/**
 * A field name to mask, as a name/id/label would say it: compared after the same normalisation as the
 * built-in heuristics ("loyaltyNumber", "loyalty_number" and "Loyalty number" are one name).
 */
const MaskFieldSchema = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'a field name must not be empty'),
  v.maxLength(
    PRIVACY_POLICY_LIMITS.fieldNameChars,
    `a field name is at most ${PRIVACY_POLICY_LIMITS.fieldNameChars} characters`,
  ),
  v.regex(/[\p{L}\p{N}]/u, 'a field name needs a letter or digit'),
);

/** The deployment's extra block selectors, bounded in count and length (validated as selectors in the page). */
export const BlockSelectorsSchema = boundedArray(BlockSelectorSchema, PRIVACY_POLICY_LIMITS.blockSelectors);
/** The deployment's extra field names to mask, bounded in count and length. */
export const MaskFieldsSchema = boundedArray(MaskFieldSchema, PRIVACY_POLICY_LIMITS.maskFields);
/** A policy's version: see {@link privacyPolicyVersion}. */
export const PrivacyPolicyVersionSchema = v.pipe(
  v.string(),
  v.regex(/^pp1-[0-9a-f]{14}$/, 'version must be pp1- and 14 hex digits'),
);

/** What an operator chooses; {@link makePrivacyPolicy} adds the version. */
export const PrivacyPolicyChoiceSchema = v.object({
  mode: PrivacyModeSchema,
  blockSelectors: v.optional(BlockSelectorsSchema, []),
  maskFields: v.optional(MaskFieldsSchema, []),
});
export type PrivacyPolicyChoice = v.InferInput<typeof PrivacyPolicyChoiceSchema>;

/**
 * A policy as served and stored: the choice plus `version`, a hash of its content, so a session records
 * exactly which policy applied and two deployments with the same rules share a version. The version is
 * checked on every parse: a copy edited in chrome.storage (or on the way) no longer validates.
 */
export const PrivacyPolicySchema = v.pipe(
  v.object({
    mode: PrivacyModeSchema,
    blockSelectors: BlockSelectorsSchema,
    maskFields: MaskFieldsSchema,
    version: PrivacyPolicyVersionSchema,
  }),
  v.check((p) => p.version === privacyPolicyVersion(p), 'version does not match the policy content'),
);
export type PrivacyPolicy = v.InferOutput<typeof PrivacyPolicySchema>;

/** The policy with its version computed (its input already validated against {@link PrivacyPolicyChoiceSchema}). */
export function makePrivacyPolicy(choice: v.InferOutput<typeof PrivacyPolicyChoiceSchema>): PrivacyPolicy {
  const content = { mode: choice.mode, blockSelectors: choice.blockSelectors, maskFields: choice.maskFields };
  return { ...content, version: privacyPolicyVersion(content) };
}

/** What applies with no server, or before the first one answered. */
export const STANDARD_PRIVACY_POLICY: PrivacyPolicy = makePrivacyPolicy({
  mode: 'standard',
  blockSelectors: [],
  maskFields: [],
});

/**
 * `pp1-` and 56 bits of a hash (cyrb53) of the policy's canonical JSON. Not a security hash: it names a
 * policy, it does not authenticate one (the server's TLS and the worker key do). Synchronous on purpose,
 * so the page, the service worker and the server compute it the same way without SubtleCrypto.
 */
export function privacyPolicyVersion(p: {
  mode: PrivacyMode;
  blockSelectors: readonly string[];
  maskFields: readonly string[];
}): string {
  const canonical = JSON.stringify([p.mode, p.blockSelectors, p.maskFields]);
  return `pp1-${cyrb53(canonical).toString(16).padStart(14, '0')}`;
}

function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * The fields strict mode still records, because their values are the task rather than the person: what
 * was searched for, how many were ordered, what was picked from the page's own options. A field falls
 * under it when none of the masking rules (built-in or the deployment's) claims it, and one of:
 * - it is a `<select>`, or an `<input>` of one of `inputTypes` (choices the page offers, numbers);
 * - its `role` is one of `roles`;
 * - its `autocomplete` is `off` or absent and its name or id, normalised, is one of `names` or ends
 *   with one of them as a word ("header search", "cart qty").
 * Everything else typed (text, textarea, contenteditable, email, tel, url, date...) is masked.
 */
export const STRICT_ALLOWED = {
  inputTypes: ['search', 'number', 'range', 'color', 'checkbox', 'radio'],
  roles: ['searchbox', 'spinbutton', 'slider'],
  names: ['q', 'query', 'search', 'search query', 'search term', 'keyword', 'keywords', 'qty', 'quantity', 'count'],
  /**
   * URL parameters (query and `#k=v` fragments) whose values strict mode keeps, lower case, letters and
   * digits only: the search and quantity names, and the navigation a page puts in its own links. Every
   * other parameter's value becomes `[strict]`: a form sent with GET puts what was typed there.
   */
  urlKeys: [
    'q',
    'query',
    'search',
    'searchterm',
    'keyword',
    'keywords',
    'qty',
    'quantity',
    'count',
    'id',
    'page',
    'p',
    'sort',
    'order',
    'category',
    'cat',
    'tab',
    'view',
    'lang',
    'locale',
    'ref',
    'sku',
    'product',
    'color',
    'size',
    'filter',
  ],
} as const;
