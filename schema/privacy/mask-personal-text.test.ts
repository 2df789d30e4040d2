import { describe, expect, it } from 'vitest';
import { MASK_SLICE_CHARS, maskPersonalText, mayHoldPersonalData } from './mask-personal-text';
import { parameterRule } from './url-parameters';

describe('maskPersonalText', () => {
  it.each([
    ['call me at 415 555 0123', 'call me at [phone]', [{ rule: 'text-phone', count: 1 }]],
    [
      'jo@example.com, 4111 1111 1111 1111, DE89 3704 0044 0532 0130 00',
      '[email], [card], [iban]',
      [
        { rule: 'text-card-number', count: 1 },
        { rule: 'text-iban', count: 1 },
        { rule: 'text-email', count: 1 },
      ],
    ],
    [
      'SSN 078-05-1120, +44 20 7946 0958',
      'SSN [national-id], [phone]',
      [
        { rule: 'text-national-id', count: 1 },
        { rule: 'text-phone', count: 1 },
      ],
    ],
    ['Send to 221B Baker Street', 'Send to [address]', [{ rule: 'text-street-address', count: 1 }]],
    ['4155550123@txt.example.com', '[email]', [{ rule: 'text-email', count: 1 }]],
  ])('%j', (input, expected, hits) => {
    expect(maskPersonalText(input)).toEqual({ text: expected, hits });
  });

  it.each([
    'Order #100234 shipped',
    'Order 2026-11-30',
    '$1,299.00',
    'SKU-44120-B',
    'tracking 1Z999AA10123456784',
    '3 items, 12:30, 30.11.2026',
    'Add to cart',
    'https://shop.example/search?q=running+shoes&page=2&sort=price',
    'https://shop.example/orders/100234?ref=email',
  ])('leaves %j', (input) => {
    expect(maskPersonalText(input)).toEqual({ text: input, hits: [] });
  });

  describe('URLs', () => {
    it.each([
      ['https://shop.example/a?email=jo%40example.com&x=1', 'https://shop.example/a?email=[email]&x=1'],
      ['https://x.example/c?tel=%2B1%20415%20555%200123', 'https://x.example/c?tel=[phone]'],
      ['https://x.example/c?note=call+me+at+415+555+0123', 'https://x.example/c?note=call+me+at+[phone]'],
      ['https://x.example/c?phone=4155550123&q=shoes', 'https://x.example/c?phone=[phone]&q=shoes'],
      ['https://x.example/c#contact?phone=4155550123', 'https://x.example/c#contact?phone=[phone]'],
      ['https://x.example/account?billing_phone=4155550123', 'https://x.example/account?billing_phone=[phone]'],
      ['/account?name=Jane+Doe&zip=94103', '/account?name=[name]&zip=[postal-code]'],
      ['/signup?user%5Bemail%5D=jo&dob=1990-01-02', '/signup?user%5Bemail%5D=[email]&dob=[birthday]'],
      ['/p?password=hunter2', '/p?password=[password]'],
      ['/iban/DE89370400440532013000', '/iban/[iban]'],
      ['mailto:jo@example.com?subject=Hi', 'mailto:[email]?subject=Hi'],
      ['tel:+14155550123', 'tel:[phone]'],
      ['https://x.example/u/jo%2Bshop%40example.com/edit', 'https://x.example/u/[email]/edit'],
      ['https://x.example/c?card=4111%201111%201111%201111', 'https://x.example/c?card=[card]'],
    ])('%s', (input, expected) => {
      const masked = maskPersonalText(input);
      expect(masked.text).toBe(expected);
      expect(masked.hits.length).toBeGreaterThan(0);
    });

    it('keeps order numbers, prices and search queries readable', () => {
      const url = 'https://shop.example/checkout?order=100234&total=1299.00&q=red+shoes&sku=SKU-44120-B';
      expect(maskPersonalText(url)).toEqual({ text: url, hits: [] });
    });

    it('applies URL handling only to URL-looking text unless told', () => {
      expect(maskPersonalText('name=Jane').text).toBe('name=Jane');
      expect(maskPersonalText('name=Jane', { url: true }).text).toBe('name=[name]');
      expect(maskPersonalText('see https://x.example/?name=Jane').text).toBe('see https://x.example/?name=Jane');
    });

    it('knows personal parameter keys and leaves others', () => {
      expect(parameterRule('shippingAddress1')?.rule).toBe('street-address');
      expect(parameterRule('user[email]')?.rule).toBe('email');
      expect(parameterRule('q')).toBeUndefined();
      expect(parameterRule('product_name')).toBeUndefined();
      expect(parameterRule('x'.repeat(100))).toBeUndefined();
    });
  });

  it('is idempotent', () => {
    const once = maskPersonalText('mail jo@example.com or call +1 415 555 0123 at 221B Baker Street');
    expect(maskPersonalText(once.text)).toEqual({ text: once.text, hits: [] });
    const url = maskPersonalText('https://x.example/?phone=4155550123&email=jo%40x.com').text;
    expect(maskPersonalText(url)).toEqual({ text: url, hits: [] });
  });

  it('runs only the detectors asked for', () => {
    const text = 'jo@example.com 415-555-0123';
    expect(maskPersonalText(text, { rules: ['text-phone'] }).text).toBe('jo@example.com [phone]');
    expect(maskPersonalText(text, { rules: [] }).text).toBe(text);
  });

  it('skips text that cannot hold personal data without running a pattern', () => {
    expect(mayHoldPersonalData('Add to cart')).toBe(false);
    expect(mayHoldPersonalData('Item 2')).toBe(true);
    expect(mayHoldPersonalData('a@b')).toBe(true);
  });

  it('masks text longer than one slice throughout', () => {
    const filler = 'lorem ipsum '.repeat(Math.ceil(MASK_SLICE_CHARS / 12));
    const text = `${filler}call 415 555 0123 ${filler}jo@example.com ${filler}`;
    const masked = maskPersonalText(text);
    expect(masked.text).not.toContain('555');
    expect(masked.text).not.toContain('jo@');
    expect(masked.hits).toEqual([
      { rule: 'text-email', count: 1 },
      { rule: 'text-phone', count: 1 },
    ]);
    expect(masked.text.length).toBe(
      text.length - '415 555 0123'.length + '[phone]'.length - 'jo@example.com'.length + '[email]'.length,
    );
  });

  // Inputs built to make a backtracking pattern go quadratic or worse: each must finish (linear
  // patterns take milliseconds here; a catastrophic one would not finish within the test timeout).
  it.each([
    ['long word before @', `${'a'.repeat(200_000)}@`],
    ['digit groups', '1 '.repeat(100_000)],
    ['dashed digit groups', '12-'.repeat(70_000)],
    ['parentheses', '(1) '.repeat(50_000)],
    ['plus signs', '+1 '.repeat(70_000)],
    ['almost IBANs', 'DE89 3704 '.repeat(20_000)],
    ['capitalised words before a number', `${'Main '.repeat(40_000)}12`],
    ['numbers and words', '12 Main Main Main Main Main '.repeat(8_000)],
    ['German street words', 'Hauptstraße '.repeat(20_000)],
    ['dots', '0.'.repeat(100_000)],
    ['encoded URL', `https://x.example/?q=${'%20'.repeat(60_000)}`],
    ['many parameters', `https://x.example/?${'phone=1&'.repeat(25_000)}`],
    // Slices were cut at lastIndexOf(' '), which read back to the text's start when it held no space:
    // quadratic (16 MiB: 0.57 s instead of 0.06 s). Too mild to trip the timeout at this size; the
    // slices' content is checked below.
    ['no space after the first characters', ` 1${'x'.repeat(300_000)}`],
    // Split into an array of parts, 16 MiB of `&` in a URL took 670 MB of heap and 1.3 s (now 17 MB).
    ['a URL of delimiters', `https://x.example/?${'&'.repeat(1_000_000)}%40`],
  ])('stays linear on %s', (_name, input) => {
    const masked = maskPersonalText(input);
    expect(typeof masked.text).toBe('string');
  });

  it('masks a long text without spaces across its slices (each cut where the slice limit falls)', () => {
    const filler = 'x'.repeat(MASK_SLICE_CHARS - 20);
    const text = ` 1${filler} jo@example.com ${'y'.repeat(2 * MASK_SLICE_CHARS)} ann@example.org`;
    const masked = maskPersonalText(text);
    expect(masked.text).toBe(` 1${filler} [email] ${'y'.repeat(2 * MASK_SLICE_CHARS)} [email]`);
    expect(masked.hits).toEqual([{ rule: 'text-email', count: 2 }]);
  });

  it('walks a URL in place with the results of the split it replaced (a masked part is read as the next key)', () => {
    expect(maskPersonalText('https://x.example/?a=1&phone=4155550123&q=shoes', { url: true }).text).toBe(
      'https://x.example/?a=1&phone=[phone]&q=shoes',
    );
    // `jo%40x.com` becomes `[email]`, which names the value after it as an email too, and so on.
    expect(maskPersonalText('https://x.example/jo%40x.com=x.example=y', { url: true }).text).toBe(
      'https://x.example/[email]=[email]=[email]',
    );
    const url = `https://x.example/?${'&'.repeat(100_000)}email=a`;
    expect(maskPersonalText(url)).toEqual({
      text: `https://x.example/?${'&'.repeat(100_000)}email=[email]`,
      hits: [{ rule: 'email', count: 1 }],
    });
  });
});
