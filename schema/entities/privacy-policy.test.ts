import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { validate } from '../validate';
import { MaskingPolicySchema } from './masking';
import { SessionMetaSchema } from './session';
import {
  makePrivacyPolicy,
  PRIVACY_POLICY_LIMITS,
  PrivacyPolicyChoiceSchema,
  PrivacyPolicySchema,
  privacyPolicyVersion,
  STANDARD_PRIVACY_POLICY,
} from './privacy-policy';

const choice = (input: unknown) => v.parse(PrivacyPolicyChoiceSchema, input);

describe('PrivacyPolicySchema', () => {
  it('round-trips a made policy, additions trimmed', () => {
    const policy = makePrivacyPolicy(
      choice({ mode: 'strict', blockSelectors: [' .account-panel '], maskFields: ['loyaltyNumber'] }),
    );
    expect(policy).toMatchObject({ mode: 'strict', blockSelectors: ['.account-panel'], maskFields: ['loyaltyNumber'] });
    expect(policy.version).toMatch(/^pp1-[0-9a-f]{14}$/);
    expect(validate(PrivacyPolicySchema, JSON.parse(JSON.stringify(policy)))).toEqual({ ok: true, value: policy });
  });

  it('names a policy by its content: same rules, same version; any change, another', () => {
    const a = makePrivacyPolicy(choice({ mode: 'standard', maskFields: ['x'] }));
    expect(makePrivacyPolicy(choice({ mode: 'standard', maskFields: ['x'] })).version).toBe(a.version);
    expect(makePrivacyPolicy(choice({ mode: 'strict', maskFields: ['x'] })).version).not.toBe(a.version);
    expect(makePrivacyPolicy(choice({ mode: 'standard', maskFields: ['y'] })).version).not.toBe(a.version);
    expect(makePrivacyPolicy(choice({ mode: 'standard', blockSelectors: ['x'] })).version).not.toBe(a.version);
    expect(STANDARD_PRIVACY_POLICY.version).toBe(
      privacyPolicyVersion({ mode: 'standard', blockSelectors: [], maskFields: [] }),
    );
  });

  it('refuses a copy whose content no longer matches its version (edited in storage or on the way)', () => {
    const strict = makePrivacyPolicy(choice({ mode: 'strict' }));
    const tampered = validate(PrivacyPolicySchema, { ...strict, mode: 'standard' });
    expect(tampered.ok).toBe(false);
    if (!tampered.ok) expect(tampered.error.message).toContain('version does not match');
  });

  it.each([
    ['an unknown mode', { mode: 'lenient' }],
    ['an empty selector', { mode: 'standard', blockSelectors: ['  '] }],
    [
      'a selector over the length bound',
      { mode: 'standard', blockSelectors: ['a'.repeat(PRIVACY_POLICY_LIMITS.selectorChars + 1)] },
    ],
    [
      'too many selectors',
      {
        mode: 'standard',
        blockSelectors: Array.from({ length: PRIVACY_POLICY_LIMITS.blockSelectors + 1 }, (_, i) => `.s${i}`),
      },
    ],
    ['a field name without a letter or digit', { mode: 'standard', maskFields: ['--'] }],
    [
      'too many field names',
      { mode: 'standard', maskFields: Array.from({ length: PRIVACY_POLICY_LIMITS.maskFields + 1 }, (_, i) => `f${i}`) },
    ],
  ])('refuses %s', (_, input) => {
    expect(validate(PrivacyPolicyChoiceSchema, input).ok).toBe(false);
  });
});

describe('MaskingPolicySchema with the privacy policy', () => {
  it('still validates a session recorded before the privacy fields existed', () => {
    expect(validate(MaskingPolicySchema, { version: 'capture-1', rules: ['password', 'email'] }).ok).toBe(true);
  });

  it('carries the mode, version and additions that applied, in the synced session metadata too', () => {
    const policy = makePrivacyPolicy(choice({ mode: 'strict', blockSelectors: ['#acct'], maskFields: ['member id'] }));
    const maskingPolicy = {
      version: 'capture-2',
      rules: ['password', 'strict', 'policy-field', 'policy-block'],
      mode: policy.mode,
      policyVersion: policy.version,
      blockSelectors: policy.blockSelectors,
      maskFields: policy.maskFields,
    };
    expect(validate(MaskingPolicySchema, maskingPolicy)).toEqual({ ok: true, value: maskingPolicy });
    const meta = { startTime: 1_700_000_000_000, userAgent: 'ua', maskingPolicy };
    expect(validate(SessionMetaSchema, meta).ok).toBe(true);
  });
});
