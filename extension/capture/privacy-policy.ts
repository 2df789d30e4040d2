import { STANDARD_PRIVACY_POLICY, STRICT_ALLOWED, type PrivacyPolicy } from '@codesight/schema';
import { normalizeDescriptor } from './normalize-descriptor';

/**
 * The privacy policy as the page applies it: the deployment's block selectors that this browser parses,
 * joined into one selector, and its field names as one pattern over normalised field descriptors.
 */
export interface AppliedPrivacyPolicy {
  policy: PrivacyPolicy;
  /** The deployment's block selectors joined with `,`; undefined when there are none (or none parse). */
  extraBlockSelector: string | undefined;
  /** Selectors this browser refused to parse: left out, since one bad selector would void the whole list. */
  invalidSelectors: string[];
  /** Matches a field descriptor naming one of the deployment's fields; undefined when there are none. */
  maskFieldPattern: RegExp | undefined;
}

let applied: AppliedPrivacyPolicy = compilePrivacyPolicy(STANDARD_PRIVACY_POLICY, () => true);

/**
 * Makes `policy` the one every capture function of this frame applies, until the next call. The content
 * script calls it with the recording session's policy before capture starts; with none, `standard`.
 * Selectors are checked with the browser's own parser (`isValidSelector`).
 */
export function applyPrivacyPolicy(
  policy: PrivacyPolicy,
  isValidSelector: (selector: string) => boolean = parsesAsSelector,
): AppliedPrivacyPolicy {
  applied = compilePrivacyPolicy(policy, isValidSelector);
  return applied;
}

/** The policy applied now (the standard one until {@link applyPrivacyPolicy} is called). */
export function appliedPrivacyPolicy(): AppliedPrivacyPolicy {
  return applied;
}

function compilePrivacyPolicy(
  policy: PrivacyPolicy,
  isValidSelector: (selector: string) => boolean,
): AppliedPrivacyPolicy {
  const valid: string[] = [];
  const invalidSelectors: string[] = [];
  for (const selector of policy.blockSelectors) (isValidSelector(selector) ? valid : invalidSelectors).push(selector);
  const names = policy.maskFields.map(normalizeDescriptor).filter(Boolean).map(escapeRegExp);
  return {
    policy,
    extraBlockSelector: valid.length > 0 ? valid.join(',') : undefined,
    invalidSelectors,
    // Whole words of a descriptor: "member id" matches "Your member ID", not "remember identity".
    maskFieldPattern:
      names.length > 0 ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${names.join('|')})(?![\\p{L}\\p{N}])`, 'u') : undefined,
  };
}

/**
 * Whether the browser's selector parser accepts `selector` (querySelector throws a SyntaxError otherwise).
 * In the service worker there is no document: every selector counts as refused, which is right there,
 * since the background applies the policy only to tab URLs and titles and blocks no element.
 */
function parsesAsSelector(selector: string): boolean {
  if (typeof document === 'undefined') return false;
  try {
    document.createDocumentFragment().querySelector(selector);
    return true;
  } catch {
    return false;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const ALLOWED_INPUT_TYPES: ReadonlySet<string> = new Set(STRICT_ALLOWED.inputTypes);
const ALLOWED_ROLES: ReadonlySet<string> = new Set(STRICT_ALLOWED.roles);
const ALLOWED_NAMES: readonly string[] = STRICT_ALLOWED.names;

/**
 * Whether strict mode still records what is typed into `el` (schema's {@link STRICT_ALLOWED}): a select,
 * a search, number, range, color, checkbox or radio input, a searchbox / spinbutton / slider role, or a
 * field without an autocomplete purpose whose name or id is a search or quantity name ("q",
 * "header-search", "cartQty"). The caller has already checked that no masking rule claims the field.
 */
export function isStrictAllowed(el: Element): boolean {
  const tag = el.localName;
  if (tag === 'select') return true;
  if (tag === 'input' && ALLOWED_INPUT_TYPES.has((el.getAttribute('type') ?? 'text').toLowerCase())) return true;
  const role = el.getAttribute('role')?.trim().toLowerCase();
  if (role && ALLOWED_ROLES.has(role)) return true;
  const autocomplete = (el.getAttribute('autocomplete') ?? '').trim().toLowerCase();
  if (autocomplete !== '' && autocomplete !== 'off') return false;
  for (const attribute of ['name', 'id']) {
    const value = el.getAttribute(attribute);
    if (value && isAllowedName(normalizeDescriptor(value))) return true;
  }
  return false;
}

function isAllowedName(name: string): boolean {
  return ALLOWED_NAMES.some((allowed) => name === allowed || name.endsWith(` ${allowed}`));
}
