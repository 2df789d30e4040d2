// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { MASK_RULES, MaskingPolicySchema, validate, type Mask } from '@codesight/schema';
import { lengthClassOf, luhnValid, maskInputValue, MASKING_POLICY, maskText, maskTextDetailed } from './masking';

/** Builds the case into a fresh body (and its `shadow` into [data-host]'s open shadow root); returns [data-t]. */
function build(c: Pick<Case, 'html' | 'shadow'>): Element {
  document.body.innerHTML = c.html;
  const host = document.querySelector('[data-host]');
  if (host && c.shadow) host.attachShadow({ mode: 'open' }).innerHTML = c.shadow;
  const el = document.querySelector('[data-t]') ?? host?.shadowRoot?.querySelector('[data-t]');
  if (!el) throw new Error('fixture has no [data-t] element');
  return el;
}

// Visa test number, Luhn-valid; the same digits off by one are not.
const CARD = '4111 1111 1111 1111';
const NOT_LUHN = '4111 1111 1111 1112';

type Case = {
  name: string;
  html: string;
  /** Content of the open shadow root of the element marked [data-host]. */
  shadow?: string;
  value: string;
  /** Expected stored value (undefined: nothing stored). */
  stored?: string;
  /** Expected mask rule (undefined: no mask). */
  rule?: Mask['rule'];
};

/** The tricky cases: each says how the field is built, what was typed and what may be stored. */
const CASES: Case[] = [
  { name: 'password field', html: '<input data-t type="password" name="pw">', value: 'hunter2', rule: 'password' },
  {
    name: 'password shown as text (autocomplete)',
    html: '<input data-t type="text" autocomplete="current-password">',
    value: 'hunter2',
    rule: 'password',
  },
  {
    name: 'password shown as text (name only)',
    html: '<input data-t type="text" name="userPassword">',
    value: 'hunter2',
    rule: 'password',
  },
  {
    name: 'German password label',
    html: '<label for="k">Kennwort</label><input data-t id="k">',
    value: 'geheim',
    rule: 'password',
  },
  { name: 'type=email', html: '<input data-t type="email" name="contact">', value: 'jo@example.com', rule: 'email' },
  {
    name: 'name="email_confirm" on a text input',
    html: '<input data-t type="text" name="email_confirm">',
    value: 'jo@example.com',
    rule: 'email',
  },
  { name: 'upper-case EMAIL in the id', html: '<input data-t id="USER_EMAIL">', value: 'something', rule: 'email' },
  { name: 'e-mail in a French label', html: '<label>Courriel <input data-t></label>', value: 'x', rule: 'email' },
  { name: 'type=tel', html: '<input data-t type="tel" name="contact">', value: '+1 555 123 4567', rule: 'phone' },
  {
    name: 'autocomplete="billing tel-national"',
    html: '<input data-t autocomplete="billing tel-national">',
    value: '5551234567',
    rule: 'phone',
  },
  {
    name: 'German Telefonnummer label',
    html: '<label for="t">Telefonnummer</label><input data-t id="t">',
    value: '030 1234567',
    rule: 'phone',
  },
  {
    name: 'type=text with autocomplete=cc-number',
    html: '<input data-t type="text" autocomplete="cc-number">',
    value: CARD,
    rule: 'card-number',
  },
  {
    name: 'type=tel used for a card (Stripe-style), by name',
    html: '<input data-t type="tel" name="cardnumber">',
    value: CARD,
    rule: 'card-number',
  },
  {
    name: 'label "Card number" via <label for>',
    html: '<label for="f1">Card number</label><input data-t id="f1" name="f1">',
    value: '1234',
    rule: 'card-number',
  },
  {
    name: 'Kartennummer placeholder',
    html: '<input data-t placeholder="Kartennummer">',
    value: '1234',
    rule: 'card-number',
  },
  {
    name: 'Spanish card label',
    html: '<label for="n">Número de tarjeta</label><input data-t id="n">',
    value: '1234',
    rule: 'card-number',
  },
  {
    name: 'Japanese card label',
    html: '<label for="n">カード番号</label><input data-t id="n">',
    value: '1234',
    rule: 'card-number',
  },
  {
    name: 'Russian card label',
    html: '<label for="n">Номер карты</label><input data-t id="n">',
    value: '1234',
    rule: 'card-number',
  },
  { name: 'Chinese email label', html: '<label for="m">邮箱</label><input data-t id="m">', value: 'x', rule: 'email' },
  {
    name: 'label in a shadow root, for= resolved in that root',
    html: '<x-form data-host></x-form>',
    shadow: '<label for="c">Credit card</label><input id="c" data-t>',
    value: '1234',
    rule: 'card-number',
  },
  {
    name: 'aria-labelledby pointing at "CVV"',
    html: '<span id="l">CVV</span><input data-t aria-labelledby="l">',
    value: '123',
    rule: 'card-cvc',
  },
  {
    name: 'IBAN counts as a payment instrument',
    html: '<input data-t name="iban">',
    value: 'DE89370400440532013000',
    rule: 'card-number',
  },
  { name: 'CVC by name', html: '<input data-t name="cvc" inputmode="numeric">', value: '123', rule: 'card-cvc' },
  {
    name: 'card security code label is a CVC, not a card number',
    html: '<label for="s">Card security code</label><input data-t id="s">',
    value: '123',
    rule: 'card-cvc',
  },
  { name: 'autocomplete=cc-csc', html: '<input data-t autocomplete="cc-csc">', value: '1234', rule: 'card-cvc' },
  {
    name: 'expiry via MM/YY placeholder',
    html: '<input data-t placeholder="MM / YY">',
    value: '12/29',
    rule: 'card-expiry',
  },
  {
    name: 'expiry month select (cc-exp-month)',
    html: '<select data-t autocomplete="cc-exp-month"><option>12</option></select>',
    value: '12',
    rule: 'card-expiry',
  },
  { name: 'expiry by camelCase name', html: '<input data-t name="expDate">', value: '12/29', rule: 'card-expiry' },
  {
    name: 'German Gültig bis label',
    html: '<label for="g">Gültig bis</label><input data-t id="g">',
    value: '12/29',
    rule: 'card-expiry',
  },
  { name: 'SSN by name', html: '<input data-t name="ssn">', value: '123-45-6789', rule: 'ssn' },
  {
    name: 'national id label',
    html: '<label for="n">National ID</label><input data-t id="n">',
    value: 'AB123456C',
    rule: 'ssn',
  },
  {
    name: 'Italian codice fiscale',
    html: '<input data-t aria-label="Codice fiscale">',
    value: 'RSSMRA85T10A562S',
    rule: 'ssn',
  },
  {
    name: 'one-time code (autocomplete)',
    html: '<input data-t autocomplete="one-time-code">',
    value: '123456',
    rule: 'one-time-code',
  },
  { name: 'OTP by name', html: '<input data-t name="otp">', value: '123456', rule: 'one-time-code' },
  {
    name: 'verification code label mentioning the phone',
    html: '<label for="v">Verification code sent to your phone</label><input data-t id="v">',
    value: '123456',
    rule: 'one-time-code',
  },
  {
    name: 'input inside [data-private] nested deep',
    html: '<div data-private><section><div><p><label>Gift message <input data-t name="gift"></label></p></div></section></div>',
    value: 'Happy birthday Jo',
    rule: 'private-block',
  },
  {
    name: 'contenteditable inside data-codesight-block',
    html: '<div data-codesight-block><div contenteditable="true" data-t>notes</div></div>',
    value: 'my secret notes',
    rule: 'private-block',
  },
  {
    name: 'private block around a shadow host',
    html: '<div data-private><x-field data-host></x-field></div>',
    shadow: '<input data-t>',
    value: 'typed in shadow',
    rule: 'private-block',
  },
  {
    name: 'ordinary search box keeps its value',
    html: '<input data-t type="search" name="q">',
    value: 'blue mug',
    stored: 'blue mug',
  },
  { name: 'quantity keeps its value', html: '<input data-t type="number" name="quantity">', value: '3', stored: '3' },
  {
    name: 'card number typed into a notes textarea is cut out',
    html: '<textarea data-t name="notes"></textarea>',
    value: `pay with ${CARD} please`,
    stored: 'pay with [card] please',
    rule: 'text-card-number',
  },
  {
    name: 'email typed into a notes textarea is cut out',
    html: '<textarea data-t name="notes"></textarea>',
    value: 'reach me at Jo.Doe+shop@Example.co.uk',
    stored: 'reach me at [email]',
    rule: 'text-email',
  },
  {
    name: 'non-Luhn 16 digits stay',
    html: '<textarea data-t name="notes"></textarea>',
    value: `ref ${NOT_LUHN}`,
    stored: `ref ${NOT_LUHN}`,
  },
  {
    name: 'phone-looking order number stays outside a tel field',
    html: '<input data-t name="order">',
    value: 'Order 555-123-4567',
    stored: 'Order 555-123-4567',
  },
  { name: '"hotel" is not a tel field', html: '<input data-t name="hotel_name">', value: 'Grand', stored: 'Grand' },
  {
    name: '"expected delivery" is not an expiry',
    html: '<input data-t name="expected_delivery">',
    value: 'Monday',
    stored: 'Monday',
  },
  {
    name: "checkbox value is the page's, not masked by name",
    html: '<input data-t type="checkbox" name="email_opt_in" value="yes">',
    value: 'yes',
    stored: 'yes',
  },
];

describe('maskInputValue', () => {
  it.each(CASES)('$name', ({ html, shadow, value, stored, rule }) => {
    const el = build({ html, shadow });
    const result = maskInputValue(el, value);
    expect(result.value).toBe(stored);
    expect(result.mask?.rule).toBe(rule);
    if (rule) expect(result.mask?.lengthClass).toBe(lengthClassOf(value));
    // Whatever the rule, the secret parts never survive.
    if (stored === undefined) expect(JSON.stringify(result)).not.toContain(value);
  });

  it('never keeps a card number or email in a masked result, whatever the field', () => {
    document.body.innerHTML = '<input id="plain" name="anything">';
    const el = document.getElementById('plain')!;
    const result = maskInputValue(el, `a ${CARD} b jo@example.com`);
    expect(result.value).toBe('a [card] b [email]');
    expect(result.mask).toEqual({ rule: 'text-card-number', lengthClass: '33+' });
  });

  it('masks before capping, so a card number at the limit is still found', () => {
    document.body.innerHTML = '<textarea name="notes"></textarea>';
    const el = document.querySelector('textarea')!;
    const value = `${'x'.repeat(9_990)} ${CARD}`;
    const result = maskInputValue(el, value);
    expect(result.value).not.toContain('4111');
    expect(result.value!.length).toBeLessThanOrEqual(10_000);
  });
});

describe('maskText', () => {
  it.each([
    ['Contact jo@example.com now', 'Contact [email] now'],
    ['UPPER@EXAMPLE.COM', '[email]'],
    ['Ünïcødé: jörg@beispiel.de', 'Ünïcødé: [email]'],
    ['https://shop.example/a?email=jo%40example.com&x=1', 'https://shop.example/a?email=[email]&x=1'],
    [`card ${CARD}`, 'card [card]'],
    ['card 4111-1111-1111-1111.', 'card [card].'],
    ['amex 378282246310005', 'amex [card]'],
    ['order 12 4111 1111 1111 1111 shipped', 'order 12 [card] shipped'],
    [`not a card ${NOT_LUHN}`, `not a card ${NOT_LUHN}`],
    ['call +49 30 1234567', 'call [phone]'],
    ['tracking 1Z999AA10123456784', 'tracking 1Z999AA10123456784'],
    ['twenty digits 41111111111111111111 stay', 'twenty digits 41111111111111111111 stay'],
    ['price 1,299.00 and 12 items', 'price 1,299.00 and 12 items'],
    ['no @ here', 'no @ here'],
  ])('%s', (input, expected) => {
    expect(maskText(input)).toBe(expected);
  });

  it('reports which text rules fired, card first', () => {
    expect(maskTextDetailed(`jo@example.com ${CARD}`).rules).toEqual(['text-card-number', 'text-email']);
    expect(maskTextDetailed('nothing').rules).toEqual([]);
  });

  it('stays fast on long words without an address', () => {
    const started = performance.now();
    maskText(`${'a'.repeat(200_000)}@`);
    maskText('1 '.repeat(100_000));
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('helpers', () => {
  it('luhnValid', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('41111a1111111111')).toBe(false);
  });

  it.each([
    ['', 'empty'],
    ['abcd', '1-4'],
    ['abcde', '5-12'],
    ['a'.repeat(13), '13-32'],
    ['a'.repeat(33), '33+'],
    ['😀😀😀😀', '1-4'],
  ])('lengthClassOf(%j) = %s', (value, expected) => {
    expect(lengthClassOf(value)).toBe(expected);
  });

  it('MASKING_POLICY is a valid policy with every rule of the standard policy active', () => {
    expect(validate(MaskingPolicySchema, MASKING_POLICY).ok).toBe(true);
    // Strict mode's and the deployment's rules cannot fire under the standard policy without additions.
    const standardOnly = MASK_RULES.filter((r) => r !== 'strict' && r !== 'policy-field' && r !== 'policy-block');
    expect([...MASKING_POLICY.rules].sort()).toEqual([...standardOnly].sort());
    expect(MASKING_POLICY).toMatchObject({ mode: 'standard', blockSelectors: [], maskFields: [] });
  });
});
