import { describe, expect, it } from 'vitest';
import { isStableAttrValue, isStableClass, isStableId, looksGenerated } from './stable-tokens';

describe('isStableId', () => {
  it.each([
    'add-to-cart',
    'checkout',
    'nav-cart',
    'product-4',
    'product-12345',
    'mainContent',
    'search_input',
    'deadbeef',
    'h264-player',
  ])('%s is stable', (id) => expect(isStableId(id)).toBe(true));
  it.each([
    ':r3:',
    '«r5»',
    'radix-:r1:-trigger',
    'ember1234',
    'ext-gen123',
    'yui_3_5_1_1_123',
    'gwt-uid-12',
    'j_idt42',
    'mui-12',
    'react-select-3-input',
    'headlessui-menu-button-7',
    'downshift-0-input',
    '123',
    '4abc',
    'input-1736512345678',
    'a1b2c3d4e5f60718',
    '550e8400-e29b-41d4-a716-446655440000',
    'x7Fk2Lq9',
    'el-id-1234-56',
    'a'.repeat(65),
  ])('%s looks generated', (id) => expect(isStableId(id)).toBe(false));
});

describe('isStableClass', () => {
  it.each(['btn', 'btn-primary', 'card', 'add-to-cart', 'MuiButton-root', 'js-add', 'product__title'])(
    '%s is stable',
    (c) => expect(isStableClass(c)).toBe(true),
  );
  it.each([
    'css-1x2y3z',
    'sc-bdVaJa',
    'jsx-123456',
    'svelte-1abc2de',
    'jss12',
    'makeStyles-root-12',
    'hover:bg-blue-500',
    'w-1/2',
    '[mask:none]',
    'active',
    'is-open',
    'has-error',
    'ng-touched',
    'ng-tns-c12-3',
    'focus-visible',
    'selected',
  ])('%s is not', (c) => expect(isStableClass(c)).toBe(false));
});

describe('isStableAttrValue', () => {
  it.each(['Add to cart', '/product/3', 'Search products', 'email', 'Size 42'])('%s is stable', (v) =>
    expect(isStableAttrValue(v)).toBe(true),
  );
  it.each(['', '   ', 'x'.repeat(81), 'line\nbreak', '/track?id=8f3a9c2e4b5d6e7f', 'session 1736512345678'])(
    '%j is not',
    (v) => expect(isStableAttrValue(v)).toBe(false),
  );
});

describe('looksGenerated', () => {
  it('accepts ordinary words and short numbers', () => {
    expect(looksGenerated('checkout-step-2')).toBe(false);
    expect(looksGenerated('v2beta1')).toBe(false);
  });
});
