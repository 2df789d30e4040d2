import * as v from 'valibot';
import {
  BlockSelectorsSchema,
  MaskFieldsSchema,
  PrivacyModeSchema,
  PrivacyPolicyVersionSchema,
} from './privacy-policy';

/**
 * Privacy rules applied in the page before anything is stored. Each name is recorded on the session so
 * a dataset consumer knows what was hidden and why.
 */
export const MASK_RULES = [
  'password',
  'email',
  'phone',
  'card-number',
  'card-cvc',
  'card-expiry',
  'ssn',
  'one-time-code',
  'private-block',
  'text-email',
  'text-card-number',
  // Issue 14: what the free-text detectors in schema/privacy find (in the page and on the server).
  'text-phone',
  'text-iban',
  'text-national-id',
  'text-street-address',
  // Issue 14: fields whose purpose is personal data (autocomplete name / street-address / postal-code /
  // bday and their label heuristics); nothing of their value is stored.
  'name',
  'street-address',
  'postal-code',
  'birthday',
  // Issue 14, the privacy policy (privacy-policy.ts): strict mode's typed values, the deployment's extra
  // field names and extra block selectors.
  'strict',
  'policy-field',
  'policy-block',
] as const;
export const MaskRuleSchema = v.picklist(MASK_RULES);
export type MaskRule = v.InferOutput<typeof MaskRuleSchema>;

/**
 * Masks keep a coarse length class, never the content: enough to tell "typed a short code" from
 * "typed a paragraph" without leaking anything that identifies the worker.
 */
export const LENGTH_CLASSES = ['empty', '1-4', '5-12', '13-32', '33+'] as const;
export const LengthClassSchema = v.picklist(LENGTH_CLASSES);
export type LengthClass = v.InferOutput<typeof LengthClassSchema>;

/** What was hidden in one captured value. */
export const MaskSchema = v.object({ rule: MaskRuleSchema, lengthClass: LengthClassSchema });
export type Mask = v.InferOutput<typeof MaskSchema>;

/**
 * The policy in force for a session: a version to compare datasets by, the active rules, and (since
 * issue 14) the privacy policy that applied: its mode, version and the deployment's additions. Sessions
 * recorded before it have none of the privacy fields and still validate; they ran the `standard` rules of
 * their capture version.
 */
export const MaskingPolicySchema = v.object({
  version: v.pipe(v.string(), v.maxLength(32)),
  rules: v.array(MaskRuleSchema),
  mode: v.optional(PrivacyModeSchema),
  policyVersion: v.optional(PrivacyPolicyVersionSchema),
  blockSelectors: v.optional(BlockSelectorsSchema),
  maskFields: v.optional(MaskFieldsSchema),
});
export type MaskingPolicy = v.InferOutput<typeof MaskingPolicySchema>;
