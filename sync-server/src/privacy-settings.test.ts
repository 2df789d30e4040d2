import { describe, expect, it } from 'vitest';
import { STANDARD_PRIVACY_POLICY } from '@codesight/schema';
import { privacyPolicyFromEnv } from './privacy-settings';
import { loadSettings } from './settings';

const read = (files: Record<string, string>) => (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
  return text;
};

describe('privacyPolicyFromEnv', () => {
  it('is the standard policy when nothing is set', () => {
    const errors: string[] = [];
    expect(privacyPolicyFromEnv({}, errors)).toEqual(STANDARD_PRIVACY_POLICY);
    expect(errors).toEqual([]);
  });

  it('reads the mode, `;`-separated selectors (commas belong to selectors) and `,`-separated field names', () => {
    const errors: string[] = [];
    const policy = privacyPolicyFromEnv(
      {
        PRIVACY_POLICY: 'Strict',
        PRIVACY_BLOCK_SELECTORS: '.account-panel, #profile ; [data-pii]',
        PRIVACY_MASK_FIELDS: 'loyaltyNumber, member id',
      },
      errors,
    );
    expect(errors).toEqual([]);
    expect(policy).toMatchObject({
      mode: 'strict',
      blockSelectors: ['.account-panel, #profile', '[data-pii]'],
      maskFields: ['loyaltyNumber', 'member id'],
    });
  });

  it('reads a policy file, and names the file and the problem when it cannot', () => {
    const files = {
      '/etc/p.json': JSON.stringify({ mode: 'strict', maskFields: ['badge'] }),
      '/etc/bad.json': '{ mode: strict',
      '/etc/wrong.json': JSON.stringify({ mode: 'paranoid' }),
    };
    const errors: string[] = [];
    expect(privacyPolicyFromEnv({ PRIVACY_POLICY_FILE: '/etc/p.json' }, errors, read(files))).toMatchObject({
      mode: 'strict',
      blockSelectors: [],
      maskFields: ['badge'],
    });
    expect(errors).toEqual([]);
    for (const path of ['/etc/bad.json', '/etc/wrong.json', '/etc/missing.json']) {
      const problems: string[] = [];
      privacyPolicyFromEnv({ PRIVACY_POLICY_FILE: path }, problems, read(files));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^setting PRIVACY_POLICY_FILE: /);
    }
  });

  it('refuses a file and variables together, an unknown mode, and additions out of bounds', () => {
    const cases = [
      [{ PRIVACY_POLICY_FILE: '/p.json', PRIVACY_POLICY: 'strict' }, /set it or PRIVACY_POLICY, not both/],
      [{ PRIVACY_POLICY: 'lenient' }, /PRIVACY_POLICY: must be one of standard, strict/],
      [
        { PRIVACY_BLOCK_SELECTORS: Array.from({ length: 33 }, (_, i) => `.c${i}`).join(';') },
        /PRIVACY_BLOCK_SELECTORS/,
      ],
      [{ PRIVACY_MASK_FIELDS: 'x'.repeat(65) }, /PRIVACY_MASK_FIELDS/],
    ] as const;
    for (const [env, message] of cases) {
      const errors: string[] = [];
      privacyPolicyFromEnv(env, errors, read({ '/p.json': '{"mode":"strict"}' }));
      expect(errors.join('\n')).toMatch(message);
    }
  });

  it('makes the server refuse to start with a bad policy, and serve the chosen one otherwise', () => {
    const bad = loadSettings({ NODE_ENV: 'test', PRIVACY_POLICY: 'lenient' });
    expect(bad.ok).toBe(false);
    const good = loadSettings({ NODE_ENV: 'test', PRIVACY_POLICY: 'strict' });
    expect(good.ok && good.value.privacyPolicy.mode).toBe('strict');
  });
});
