import { LENGTH_CLASSES, MASK_RULES, LIMITS, type LengthClass, type Mask, type MaskingPolicy } from '@codesight/schema';
import { isInPrivateBlock } from './private-block';
import { classifyField } from './sensitive-fields';
import { maskTextDetailed } from './mask-text';
import { truncate } from './text';

export { maskText, maskTextDetailed, luhnValid, EMAIL_TOKEN, CARD_TOKEN, type MaskedText } from './mask-text';
export { classifyField, fieldDescriptors, normalizeDescriptor, type FieldRule } from './sensitive-fields';
export { isInPrivateBlock, PRIVATE_BLOCK_SELECTOR } from './private-block';

/**
 * The masking policy this capture code applies, recorded on every session. Bump `version` whenever a
 * rule's detection changes, so datasets recorded under different heuristics can be told apart.
 */
export const MASKING_POLICY: MaskingPolicy = {
  version: 'capture-1',
  rules: [...MASK_RULES],
};

/** What to store for one field value: the (possibly partly masked) value, and the mask when something was hidden. */
export interface MaskedValue {
  /** Absent when the rule forbids storing any part of the value. */
  value?: string;
  mask?: Mask;
}

/**
 * Decides what may be stored of `value`, typed into `el`:
 * - inside `[data-private]` / `[data-codesight-block]` → nothing (rule `private-block`);
 * - password, email, phone, card number / CVC / expiry, SSN-like and one-time-code fields → nothing;
 * - any other field → the value, with emails and card numbers inside it replaced (`text-*` rules).
 * A mask keeps only the length class of the original, never any of its characters.
 */
export function maskInputValue(el: Element, value: string): MaskedValue {
  const lengthClass = lengthClassOf(value);
  if (isInPrivateBlock(el)) return { mask: { rule: 'private-block', lengthClass } };
  const rule = classifyField(el);
  if (rule) return { mask: { rule, lengthClass } };
  // Mask before capping: cutting first could leave half an email or card number unrecognised.
  const masked = maskTextDetailed(value);
  const stored = truncate(masked.text, LIMITS.inputValue);
  const firstRule = masked.rules[0];
  return firstRule ? { value: stored, mask: { rule: firstRule, lengthClass } } : { value: stored };
}

/** Whether `el` is a field whose value is never stored (private block or sensitive field). */
export function isSensitiveField(el: Element): boolean {
  return isInPrivateBlock(el) || classifyField(el) !== undefined;
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
