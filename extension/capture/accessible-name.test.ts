// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { accessibleName, getRole } from './accessible-name';

function el(html: string, selector = '[data-t]'): Element {
  document.body.innerHTML = html;
  return document.querySelector(selector)!;
}

describe('getRole', () => {
  it.each([
    ['<button data-t>x</button>', 'button'],
    ['<a data-t href="/x">x</a>', 'link'],
    ['<a data-t>no href</a>', undefined],
    ['<input data-t>', 'textbox'],
    ['<input data-t type="email">', 'textbox'],
    ['<input data-t type="password">', 'textbox'],
    ['<input data-t type="search">', 'searchbox'],
    ['<input data-t type="text" list="l">', 'combobox'],
    ['<input data-t type="checkbox">', 'checkbox'],
    ['<input data-t type="radio">', 'radio'],
    ['<input data-t type="number">', 'spinbutton'],
    ['<input data-t type="range">', 'slider'],
    ['<input data-t type="submit">', 'button'],
    ['<input data-t type="hidden">', undefined],
    ['<textarea data-t></textarea>', 'textbox'],
    ['<select data-t></select>', 'combobox'],
    ['<select data-t multiple></select>', 'listbox'],
    ['<select><option data-t>a</option></select>', 'option'],
    ['<h2 data-t>t</h2>', 'heading'],
    ['<img data-t alt="x">', 'img'],
    ['<img data-t alt="">', 'presentation'],
    ['<nav data-t></nav>', 'navigation'],
    ['<header data-t></header>', 'banner'],
    ['<article><header data-t></header></article>', undefined],
    ['<footer data-t></footer>', 'contentinfo'],
    ['<aside data-t></aside>', 'complementary'],
    ['<section data-t></section>', undefined],
    ['<section data-t aria-label="Deals"></section>', 'region'],
    ['<summary data-t>More</summary>', 'button'],
    ['<div data-t role="tab">x</div>', 'tab'],
    ['<div data-t role="MenuItem  button">x</div>', 'menuitem'],
    ['<div data-t>x</div>', undefined],
  ])('%s -> %s', (html, role) => {
    expect(getRole(el(html))).toBe(role);
  });
});

describe('accessibleName', () => {
  it.each([
    [
      'aria-labelledby wins',
      '<span id="a">Ship</span><span id="b">to home</span><button data-t aria-labelledby="a b" aria-label="no">x</button>',
      'Ship to home',
    ],
    ['aria-label', '<button data-t aria-label="Close dialog">×</button>', 'Close dialog'],
    [
      'label for',
      '<label for="q">Search the shop</label><input data-t id="q" placeholder="e.g. mug">',
      'Search the shop',
    ],
    [
      "wrapping label, without the control's own options",
      '<label>Quantity <select data-t><option>1</option><option>2</option></select></label>',
      'Quantity',
    ],
    ['placeholder as the last resort', '<input data-t placeholder="Search products">', 'Search products'],
    ['title before placeholder', '<input data-t title="Coupon" placeholder="ABC">', 'Coupon'],
    ['button content, whitespace collapsed', '<button data-t>\n  Add   to\n cart </button>', 'Add to cart'],
    ['icon button named by the image alt', '<button data-t><img alt="Cart"></button>', 'Cart'],
    ['link content', '<a data-t href="/p/1"><span>Blue</span> <b>mug</b></a>', 'Blue mug'],
    ['submit input default', '<input data-t type="submit">', 'Submit'],
    ['button input value', '<input data-t type="button" value="Apply">', 'Apply'],
    ['image input alt', '<input data-t type="image" alt="Go">', 'Go'],
    ['img alt', '<img data-t alt="Blue mug">', 'Blue mug'],
    ['fieldset legend', '<fieldset data-t><legend>Payment</legend><input></fieldset>', 'Payment'],
    [
      'hidden content left out',
      '<button data-t>Buy <span hidden>secret</span><span style="display:none">x</span></button>',
      'Buy',
    ],
    ['private content left out', '<button data-t>Pay <span data-private>Jo Doe</span></button>', 'Pay'],
    ['no name for a generic div', '<div data-t>Some text</div>', undefined],
    ['never the typed value', '<input data-t value="typed secret">', undefined],
  ])('%s', (_, html, name) => {
    expect(accessibleName(el(html))).toBe(name);
  });

  it('is capped at 200 characters', () => {
    const name = accessibleName(el(`<button data-t>${'word '.repeat(100)}</button>`));
    expect(name!.length).toBeLessThanOrEqual(200);
    expect(name!.startsWith('word word')).toBe(true);
  });

  it('can be told not to use content (elements in private blocks)', () => {
    expect(accessibleName(el('<button data-t>Jo Doe</button>'), { fromContent: false })).toBeUndefined();
    expect(accessibleName(el('<button data-t aria-label="Edit">Jo Doe</button>'), { fromContent: false })).toBe('Edit');
  });

  it('follows open shadow roots and slots for content names', () => {
    document.body.innerHTML = '<x-btn data-t role="button"><span>Checkout</span></x-btn>';
    const host = document.querySelector('x-btn')!;
    host.attachShadow({ mode: 'open' }).innerHTML = '<b>Go to</b> <slot></slot>';
    expect(accessibleName(host)).toBe('Go to Checkout');
  });
});
