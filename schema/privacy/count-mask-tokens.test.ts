import { describe, expect, it } from 'vitest';
import { countMaskTokens } from './count-mask-tokens';
import { maskPersonalText } from './mask-personal-text';

describe('countMaskTokens', () => {
  it('counts what masking left behind, by rule and by where it sits in the event', () => {
    const url = maskPersonalText('https://shop.example/account?email=jo%40x.com&phone=4155550123&q=shoes', {
      url: true,
    }).text;
    const event = {
      type: 'click',
      url,
      title: maskPersonalText('Orders of jo@example.com').text,
      target: {
        text: maskPersonalText('Call 415 555 0123 or write to jo@example.com').text,
        href: 'mailto:[email]',
        selectors: ['#[email]', 'a.contact'],
      },
      value: 'typed [phone]',
    };
    expect(countMaskTokens(event)).toEqual({
      'text-email': { url: 2, title: 1, text: 1, attribute: 1 },
      'text-phone': { url: 1, text: 1, value: 1 },
    });
    // Values are counted from their `mask` already: skipped, they are not counted twice.
    expect(countMaskTokens(event, {}, { skip: ['value'] })['text-phone']).toEqual({ url: 1, text: 1 });
  });

  it('names URL parameter tokens by the parameter rule, and adds to what it is given', () => {
    const into = { name: { url: 2 } };
    countMaskTokens({ url: 'https://shop.example/?firstname=[name]&zip=[postal-code]&dob=[birthday]' }, into);
    expect(into).toEqual({ name: { url: 3 }, 'postal-code': { url: 1 }, birthday: { url: 1 } });
  });

  it('does not count form field names, plain brackets or clean events', () => {
    const event = {
      url: 'https://shop.example/cart?user[email]=[email]&items[0]=sku-12',
      target: { name: 'order[name]', text: 'See [1] and [note] in [ Email ]', id: 'user_address][phone]' },
      title: 'Cart (3 items) — order #A-1042',
    };
    expect(countMaskTokens(event)).toEqual({ 'text-email': { url: 1 } });
    expect(countMaskTokens({ type: 'scroll', url: 'https://shop.example/', scrollY: 1200 })).toEqual({});
  });

  it('stops at a depth no event reaches instead of following a pathological value', () => {
    let deep: unknown = '[phone]';
    for (let i = 0; i < 10_000; i++) deep = { text: deep };
    expect(countMaskTokens(deep)).toEqual({});
    expect(countMaskTokens({ text: { text: '[phone]' } })).toEqual({ 'text-phone': { text: 1 } });
  });
});
