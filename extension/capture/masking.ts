import {
  LENGTH_CLASSES,
  MASK_RULES,
  LIMITS,
  STANDARD_PRIVACY_POLICY,
  type LengthClass,
  type Mask,
  type MaskingPolicy,
  type MaskRule,
  type PrivacyPolicy,
} from '@codesight/schema';
import { fieldKind } from './field-value';
import { privateBlockRule } from './private-block';
import { appliedPrivacyPolicy, isStrictAllowed } from './privacy-policy';
import { classifyField, fieldDescriptors } from './sensitive-fields';
import { maskTextDetailed } from './mask-text';
import { truncate } from './text';

export { maskText, maskTextDetailed, luhnValid, EMAIL_TOKEN, CARD_TOKEN, type MaskedText } from './mask-text';
export { classifyField, fieldDescriptors, normalizeDescriptor, type FieldRule } from './sensitive-fields';
export { isInPrivateBlock, PRIVATE_BLOCK_SELECTOR } from './private-block';
export { applyPrivacyPolicy, appliedPrivacyPolicy, isStrictAllowed } from './privacy-policy';

/**
 * Version of this capture code's detection. Bump it whenever a rule's detection changes, so datasets
 * recorded under different heuristics can be told apart. capture-2: personal-data fields and free-text
 * detectors, the privacy policy (issue 14).
 */
export const CAPTURE_MASKING_VERSION = 'capture-2';

/**
 * The masking policy a session records when `privacy` applies: this capture code's version and rules
 * (strict's and the deployment's rules only when they can fire), the policy's mode and version, and the
 * deployment's additions as given.
 */
export function maskingPolicyFor(privacy: PrivacyPolicy): MaskingPolicy {
  const off = new Set<MaskRule>();
  if (privacy.mode !== 'strict') off.add('strict');
  if (privacy.maskFields.length === 0) off.add('policy-field');
  if (privacy.blockSelectors.length === 0) off.add('policy-block');
  return {
    version: CAPTURE_MASKING_VERSION,
    rules: MASK_RULES.filter((rule) => !off.has(rule)),
    mode: privacy.mode,
    policyVersion: privacy.version,
    blockSelectors: privacy.blockSelectors,
    maskFields: privacy.maskFields,
  };
}

/** The masking policy of a session recorded with no server policy: {@link STANDARD_PRIVACY_POLICY}. */
export const MASKING_POLICY: MaskingPolicy = maskingPolicyFor(STANDARD_PRIVACY_POLICY);

/** What to store for one field value: the (possibly partly masked) value, and the mask when something was hidden. */
export interface MaskedValue {
  /** Absent when the rule forbids storing any part of the value. */
  value?: string;
  mask?: Mask;
}

/**
 * The rule under which nothing of `el`'s value is stored, under the applied privacy policy, or undefined
 * when its value may be stored (through the free-text detectors):
 * - inside `[data-private]` / `[data-codesight-block]` → `private-block`; inside one of the deployment's
 *   block selectors → `policy-block`;
 * - password, email, phone, card number / CVC / expiry, SSN-like, one-time-code, name, street address,
 *   postal code and birthday fields → their rule;
 * - a field named like one of the deployment's field names → `policy-field`;
 * - strict mode: any typed value (text fields, textareas, editable regions, file names) except on the
 *   fields strict allows (search, quantity, select...: {@link isStrictAllowed}) → `strict`.
 */
export function fieldMaskRule(el: Element): MaskRule | undefined {
  const block = privateBlockRule(el);
  if (block) return block;
  const rule = classifyField(el);
  if (rule) return rule;
  const { policy, maskFieldPattern } = appliedPrivacyPolicy();
  if (maskFieldPattern?.test(fieldDescriptors(el))) return 'policy-field';
  if (policy.mode === 'strict') {
    const kind = fieldKind(el);
    if ((kind === 'text' || kind === 'editable' || kind === 'file') && !isStrictAllowed(el)) return 'strict';
  }
  return undefined;
}

/**
 * Decides what may be stored of `value`, typed into `el`: nothing when {@link fieldMaskRule} names a
 * rule; otherwise the value, with what the free-text detectors find replaced (`text-*` rules). A mask
 * keeps only the length class of the original, never any of its characters.
 */
export function maskInputValue(el: Element, value: string): MaskedValue {
  const lengthClass = lengthClassOf(value);
  const rule = fieldMaskRule(el);
  if (rule) return { mask: { rule, lengthClass } };
  // Mask before capping: cutting first could leave half an email or card number unrecognised.
  const masked = maskTextDetailed(value);
  const stored = truncate(masked.text, LIMITS.inputValue);
  const firstRule = masked.rules[0];
  return firstRule ? { value: stored, mask: { rule: firstRule, lengthClass } } : { value: stored };
}

/** Whether `el` is a field whose value is never stored under the applied policy (see {@link fieldMaskRule}). */
export function isSensitiveField(el: Element): boolean {
  return fieldMaskRule(el) !== undefined;
}

/** The coarse length class of a value, counted in characters (code points), not UTF-16 units. */
export function lengthClassOf(value: string): LengthClass {
  const length = Array.from(value).length;
  if (length === 0) return LENGTH_CLASSES[0];
  if (length <= 4) return '1-4';
  if (length <= 12) return '5-12';
  if (length <= 32) return '13-32';
  return '33+';
}
