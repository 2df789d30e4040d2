import { readFileSync } from 'node:fs';
import { EVENT_TYPES, MASK_RULES, PRIVACY_MODES, TEXT_MASK_TOKENS } from '@codesight/schema';
import { describe, expect, it } from 'vitest';
import { privacyNotice } from './privacy-notice';
import { privacyNoticeMarkdown } from './privacy-notice-markdown';

const notice = privacyNotice();
const termsOf = (id: string) => notice.sections.find((s) => s.id === id)!.items;

describe('privacy notice', () => {
  it('describes every mask rule, in the code order, each with a real description', () => {
    const items = termsOf('hidden');
    expect(items.map((i) => i.term)).toEqual([...MASK_RULES]);
    for (const item of items) expect(item.text.length, `${item.term} has no description`).toBeGreaterThan(20);
  });

  it('describes every event type and privacy mode', () => {
    expect(termsOf('recorded').map((i) => i.term)).toEqual([...EVENT_TYPES]);
    expect(termsOf('modes').map((i) => i.term)).toEqual([...PRIVACY_MODES]);
    for (const item of [...termsOf('recorded'), ...termsOf('modes')])
      expect(item.text.length, `${item.term} has no description`).toBeGreaterThan(20);
  });

  it("names each field rule's autocomplete tokens and each text rule's replacement token", () => {
    const hidden = new Map(termsOf('hidden').map((i) => [i.term, i]));
    expect(hidden.get('card-number')?.detail).toContain('`cc-number`');
    expect(hidden.get('password')?.detail).toContain('`current-password`');
    for (const [rule, token] of Object.entries(TEXT_MASK_TOKENS))
      expect(hidden.get(rule)?.detail, rule).toContain(`\`${token}\``);
  });

  it('docs/privacy-policy.md is the generated notice (run `npm run docs:privacy` after changing a rule)', () => {
    const committed = readFileSync(new URL('../../docs/privacy-policy.md', import.meta.url), 'utf8');
    expect(committed).toBe(privacyNoticeMarkdown(notice));
  });
});
