// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makePrivacyPolicy, STANDARD_PRIVACY_POLICY, type MaskRule, type PrivacyPolicyChoice } from '@codesight/schema';
import * as v from 'valibot';
import { PrivacyPolicyChoiceSchema } from '@codesight/schema';
import { fieldMaskRule, maskInputValue } from './masking';
import { applyPrivacyPolicy, isStrictAllowed } from './privacy-policy';
import { isInPrivateBlock, isPrivateBlockRoot } from './private-block';
import { collectSensitiveBoxes } from './sensitive-boxes';
import { maskUrl, maskUrlParameters } from './mask-url';

const policy = (choice: PrivacyPolicyChoice) => makePrivacyPolicy(v.parse(PrivacyPolicyChoiceSchema, choice));

/** Builds `html` into the body and returns its [data-t] element. */
function field(html: string): Element {
  document.body.innerHTML = html;
  const el = document.querySelector('[data-t]');
  if (!el) throw new Error('fixture has no [data-t] element');
  return el;
}

afterEach(() => {
  applyPrivacyPolicy(STANDARD_PRIVACY_POLICY);
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

describe('personal-data fields under the standard policy', () => {
  it.each<[string, string, MaskRule | undefined]>([
    ['autocomplete name', '<input data-t autocomplete="name">', 'name'],
    ['autocomplete given-name in a section', '<input data-t autocomplete="section-a shipping given-name">', 'name'],
    ['autocomplete family-name', '<input data-t autocomplete="family-name">', 'name'],
    ['name on card', '<input data-t autocomplete="cc-name">', 'name'],
    ['a field named just "name"', '<input data-t name="name">', 'name'],
    ['label "Your name"', '<label for="n">Your name</label><input data-t id="n">', 'name'],
    ['German Vorname', '<label for="n">Vorname</label><input data-t id="n">', 'name'],
    ['French prénom', '<input data-t placeholder="Prénom">', 'name'],
    ['Japanese 氏名', '<input data-t aria-label="氏名">', 'name'],
    ['username is an account handle', '<input data-t name="username">', undefined],
    ['company name', '<input data-t name="companyName">', undefined],
    ['product name', '<label for="n">Product name</label><input data-t id="n">', undefined],
    ['autocomplete street-address', '<textarea data-t autocomplete="street-address"></textarea>', 'street-address'],
    ['autocomplete address-line2', '<input data-t autocomplete="address-line2">', 'street-address'],
    ['name address1', '<input data-t name="address1">', 'street-address'],
    ['label Straße', '<label for="s">Straße und Hausnummer</label><input data-t id="s">', 'street-address'],
    ['Spanish dirección', '<input data-t placeholder="Dirección">', 'street-address'],
    ['email address stays an email field', '<input data-t name="emailAddress">', 'email'],
    ['autocomplete postal-code', '<input data-t autocomplete="postal-code">', 'postal-code'],
    ['zip', '<input data-t name="zip">', 'postal-code'],
    ['PLZ', '<label for="p">PLZ</label><input data-t id="p">', 'postal-code'],
    ['code postal', '<input data-t placeholder="Code postal">', 'postal-code'],
    ['autocomplete bday', '<input data-t autocomplete="bday" type="date">', 'birthday'],
    ['autocomplete bday-year', '<select data-t autocomplete="bday-year"><option>1990</option></select>', 'birthday'],
    ['date of birth label', '<label for="b">Date of birth</label><input data-t id="b">', 'birthday'],
    ['dob', '<input data-t name="dob">', 'birthday'],
    ['Geburtsdatum', '<input data-t placeholder="Geburtsdatum">', 'birthday'],
    ['city stays (coarse)', '<input data-t autocomplete="address-level2" name="city">', undefined],
    ['an ordinary text field', '<input data-t name="coupon">', undefined],
  ])('%s', (_, html, rule) => {
    expect(fieldMaskRule(field(html))).toBe(rule);
  });
});

describe('the strict policy', () => {
  it.each<[string, string, boolean]>([
    ['type=search', '<input data-t type="search" name="anything">', true],
    ['type=number (a quantity)', '<input data-t type="number" name="n">', true],
    ['range', '<input data-t type="range">', true],
    ['checkbox', '<input data-t type="checkbox">', true],
    ['radio', '<input data-t type="radio">', true],
    ['select', '<select data-t><option>a</option></select>', true],
    ['role=searchbox', '<div data-t role="searchbox" contenteditable="true"></div>', true],
    ['role=spinbutton', '<input data-t role="spinbutton">', true],
    ['name q', '<input data-t name="q">', true],
    ['id header-search', '<input data-t id="header-search">', true],
    ['name cartQty', '<input data-t name="cartQty">', true],
    ['a search name with a personal autocomplete purpose', '<input data-t name="q" autocomplete="email">', false],
    ['plain text', '<input data-t name="message">', false],
    ['textarea', '<textarea data-t name="notes"></textarea>', false],
    ['contenteditable', '<div data-t contenteditable="true"></div>', false],
    ['type=url', '<input data-t type="url" name="website">', false],
    ['type=date', '<input data-t type="date" name="when">', false],
    ['a name that only contains "search"', '<input data-t name="researcher">', false],
  ])('%s allowed: %s', (_, html, allowed) => {
    expect(isStrictAllowed(field(html))).toBe(allowed);
  });

  it('masks every typed value except the allowed fields, and leaves controls without a typed value alone', () => {
    applyPrivacyPolicy(policy({ mode: 'strict' }));
    expect(maskInputValue(field('<textarea data-t name="notes"></textarea>'), 'order 1234 please')).toEqual({
      mask: { rule: 'strict', lengthClass: '13-32' },
    });
    expect(maskInputValue(field('<input data-t name="coupon">'), 'SAVE10')).toEqual({
      mask: { rule: 'strict', lengthClass: '5-12' },
    });
    expect(fieldMaskRule(field('<input data-t type="file">'))).toBe('strict');
    expect(maskInputValue(field('<input data-t type="search" name="q">'), 'blue shoes')).toEqual({
      value: 'blue shoes',
    });
    expect(maskInputValue(field('<input data-t type="number" name="qty">'), '3')).toEqual({ value: '3' });
    expect(fieldMaskRule(field('<input data-t type="submit" value="Pay">'))).toBeUndefined();
    // A field rule is named before strict's: the report says what the field was.
    expect(fieldMaskRule(field('<input data-t autocomplete="email">'))).toBe('email');
  });

  it('paints over every input box in screenshots, allowed ones included', () => {
    vi.spyOn(window, 'innerWidth', 'get').mockReturnValue(1000);
    vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(1000);
    document.body.innerHTML =
      '<input id="q" type="search" name="q"><input id="c" name="coupon"><textarea id="t"></textarea><p id="p">text</p>';
    let y = 0;
    for (const el of document.querySelectorAll('*'))
      vi.spyOn(el, 'getBoundingClientRect').mockReturnValue(
        DOMRect.fromRect({ x: 0, y: (y += 20), width: 50, height: 10 }),
      );
    expect(collectSensitiveBoxes(document)).toHaveLength(0);
    applyPrivacyPolicy(policy({ mode: 'strict' }));
    expect(collectSensitiveBoxes(document)).toHaveLength(3);
  });
});

describe("the deployment's additions", () => {
  it('masks fields named like an extra field name, as whole words of any descriptor', () => {
    applyPrivacyPolicy(policy({ mode: 'standard', maskFields: ['loyaltyNumber', 'member id'] }));
    expect(fieldMaskRule(field('<input data-t name="loyalty_number">'))).toBe('policy-field');
    expect(fieldMaskRule(field('<label for="m">Your Member ID</label><input data-t id="m">'))).toBe('policy-field');
    expect(fieldMaskRule(field('<input data-t name="remember identity">'))).toBeUndefined();
    expect(maskInputValue(field('<input data-t name="loyaltyNumber">'), 'LX-99812')).toEqual({
      mask: { rule: 'policy-field', lengthClass: '5-12' },
    });
  });

  it('blocks subtrees matching an extra selector like [data-private], and skips a selector the browser refuses', () => {
    const applied = applyPrivacyPolicy(policy({ mode: 'standard', blockSelectors: ['.account-panel', 'div[['] }));
    expect(applied.invalidSelectors).toEqual(['div[[']);
    expect(applied.extraBlockSelector).toBe('.account-panel');
    const input = field('<section class="account-panel"><input data-t name="coupon"></section>');
    expect(isInPrivateBlock(input)).toBe(true);
    expect(isPrivateBlockRoot(document.querySelector('.account-panel')!)).toBe(true);
    expect(maskInputValue(input, 'SAVE10')).toEqual({ mask: { rule: 'policy-block', lengthClass: '5-12' } });
    // The built-in marks keep their own rule.
    expect(fieldMaskRule(field('<div data-private class="account-panel"><input data-t></div>'))).toBe('private-block');
  });

  it('stops applying a policy once another is applied', () => {
    applyPrivacyPolicy(policy({ mode: 'strict', blockSelectors: ['.x'], maskFields: ['badge'] }));
    applyPrivacyPolicy(STANDARD_PRIVACY_POLICY);
    expect(fieldMaskRule(field('<div class="x"><input data-t name="badge"></div>'))).toBeUndefined();
  });
});

describe('URLs under the policy', () => {
  const url =
    'https://shop.test/account.html?fullname=Jo+Q&loyaltyNumber=LX7781&q=trail+shoes&id=3&note=hello#tab=orders&member_id=77';

  it('leaves URLs alone under the standard policy without additions', () => {
    expect(maskUrlParameters(url)).toBe(url);
  });

  it("masks the values of parameters named like the deployment's field names, in the query and the fragment", () => {
    applyPrivacyPolicy(policy({ mode: 'standard', maskFields: ['loyaltyNumber', 'member id'] }));
    expect(maskUrlParameters(url)).toBe(
      'https://shop.test/account.html?fullname=Jo+Q&loyaltyNumber=[policy-field]&q=trail+shoes&id=3&note=hello#tab=orders&member_id=[policy-field]',
    );
  });

  it('keeps only the search and navigation parameters under strict: a GET form carries what was typed', () => {
    applyPrivacyPolicy(policy({ mode: 'strict' }));
    expect(maskUrlParameters(url)).toBe(
      'https://shop.test/account.html?fullname=[strict]&loyaltyNumber=[strict]&q=trail+shoes&id=3&note=[strict]#tab=orders&member_id=[strict]',
    );
    // A plain fragment (an anchor, an SPA route) is no parameter list.
    expect(maskUrlParameters('https://shop.test/a#reviews')).toBe('https://shop.test/a#reviews');
    // Then the shared detectors: an email in the path is still found.
    expect(maskUrl('https://shop.test/u/jo.q@example.org?q=x')).not.toContain('jo.q@example.org');
  });
});
