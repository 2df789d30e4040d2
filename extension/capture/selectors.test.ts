// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { buildCssSelector, buildSelectorSet, buildTextSelector, buildXPath, matchesOnly } from './selectors';
import { buildShop } from './testing/shop-dom';
import { evaluateXPathSubset } from './testing/xpath-subset';

let shadow: ShadowRoot;
beforeEach(() => {
  shadow = buildShop();
});

const $ = (selector: string) => document.querySelector(selector)!;
const cards = () => Array.from(document.querySelectorAll('.card'));

describe('buildSelectorSet on a shop page', () => {
  it('gives every element a CSS selector and an XPath that find exactly it again', () => {
    const elements = [
      ...Array.from(document.querySelectorAll('*')).map((el) => [el, document] as const),
      ...Array.from(shadow.querySelectorAll('*')).map((el) => [el, shadow] as const),
    ];
    expect(elements.length).toBeGreaterThan(60);
    for (const [el, root] of elements) {
      const { css, xpath } = buildSelectorSet(el);
      expect(root.querySelectorAll(css), `${css} for ${el.outerHTML.slice(0, 60)}`).toHaveLength(1);
      expect(root.querySelector(css)).toBe(el);
      expect(evaluateXPathSubset(xpath, root), `${xpath} for ${el.outerHTML.slice(0, 60)}`).toBe(el);
    }
  });

  it('prefers test attributes, then stable ids, then name, then aria-label', () => {
    expect(buildCssSelector($('[data-testid="nav-home"]'))).toBe('[data-testid="nav-home"]');
    expect(buildCssSelector($('#nav-cart'))).toBe('#nav-cart');
    expect(buildCssSelector($('input[name="q"]'))).toBe('input[name="q"]');
    expect(buildCssSelector($('nav'))).toBe('nav[aria-label="Main"]');
    // A stable id wins over the name attribute.
    expect(buildCssSelector($('#nl-email'))).toBe('#nl-email');
  });

  it('tells radio buttons of one group apart by their value', () => {
    const radios = document.querySelectorAll('input[name="freq"]');
    expect(buildCssSelector(radios[1]!)).toBe('input[name="freq"][value="monthly"]');
  });

  it('anchors buttons inside repeated cards on a stable ancestor id instead of positions', () => {
    const button = $('#product-4 button');
    expect(buildCssSelector(button)).toBe('#product-4 button');
    expect(buildXPath(button)).toBe('//*[@id="product-4"]/button');
  });

  it('never uses generated ids or hashed classes', () => {
    const generated = [':r5:', 'ember1234', 'a1b2c3d4e5f60718', 'css-1x2y3z'];
    for (const card of cards()) {
      for (const el of [card, ...Array.from(card.querySelectorAll('*'))]) {
        const { css, xpath } = buildSelectorSet(el);
        for (const token of generated) {
          expect(css).not.toContain(token);
          expect(xpath).not.toContain(token);
        }
      }
    }
  });

  it('keeps the identical "Add to cart" buttons of identical cards distinct', () => {
    const buttons = Array.from(document.querySelectorAll('button.add'));
    const selectors = buttons.map((b) => buildCssSelector(b));
    expect(new Set(selectors).size).toBe(buttons.length);
  });

  it('builds selectors inside a shadow root that are unique in that root', () => {
    const checkout = shadow.querySelector('#checkout')!;
    expect(buildSelectorSet(checkout)).toEqual({
      css: '#checkout',
      xpath: '//*[@id="checkout"]',
      aria: 'role=button[name="Checkout"]',
      text: 'text=Checkout',
    });
    const later = shadow.querySelectorAll('button')[2]!;
    const set = buildSelectorSet(later);
    expect(matchesOnly(shadow, set.css, later)).toBe(true);
    // Two buttons say "Later": no text selector.
    expect(set.text).toBeUndefined();
    expect(set.aria).toBe('role=button[name="Later"]');
  });

  it('gives aria selectors from role and accessible name', () => {
    expect(buildSelectorSet($('input[name="q"]')).aria).toBe('role=searchbox[name="Search products"]');
    expect(buildSelectorSet($('input[name="agree"]')).aria).toBe('role=checkbox[name="I agree"]');
    expect(buildSelectorSet($('[role="button"]')).aria).toBe('role=button[name="Subscribe"]');
    expect(buildSelectorSet($('img[alt="Blue mug"]')).aria).toBe('role=img[name="Blue mug"]');
    expect(buildSelectorSet($('.card')).aria).toBeUndefined();
  });

  it('gives text selectors only for short, unique, leaf-like text', () => {
    expect(buildTextSelector($('.brand'))).toBe('text=Fixture Shop');
    expect(buildTextSelector($('#nav-cart'))).toBe('text=Cart 2');
    // Six buttons say "Add to cart"; containers and controls get none.
    expect(buildTextSelector($('button.add'))).toBeUndefined();
    expect(buildTextSelector($('header'))).toBeUndefined();
    expect(buildTextSelector($('main'))).toBeUndefined();
    expect(buildTextSelector($('select'))).toBeUndefined();
    // "Blue mug" is both a heading and a link, but unique among links.
    expect(buildTextSelector($('a[href="/p/1"]'))).toBe('text=Blue mug');
  });
});

describe('escaping and privacy in selectors', () => {
  it('escapes odd ids and attribute values so the selectors still parse and resolve', () => {
    document.body.innerHTML = `
      <button id="save.draft">A</button>
      <input name='say "hi"'>
      <button aria-label="Don't \\ stop">B</button>
      <div id="x y"><span>1</span></div>`;
    for (const el of Array.from(document.querySelectorAll('button, input, span'))) {
      const { css, xpath } = buildSelectorSet(el);
      expect(document.querySelector(css), css).toBe(el);
      expect(evaluateXPathSubset(xpath, document), xpath).toBe(el);
    }
  });

  it('never copies an email or card number into a selector', () => {
    document.body.innerHTML = `
      <a href="mailto:jo@example.com">Mail</a><a href="mailto:al@example.com">Mail us</a>
      <button aria-label="Remove card 4111 1111 1111 1111">x</button><button>y</button>
      <span>jo@example.com</span><span>other</span>`;
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const json = JSON.stringify(buildSelectorSet(el));
      expect(json).not.toContain('jo@example.com');
      expect(json).not.toContain('4111');
    }
  });

  it('leaves aria/text selectors and content attributes out for elements in a private block', () => {
    document.body.innerHTML = `<div data-private><img alt="Jo Doe" class="avatar"><button title="Jo Doe">Jo Doe</button></div>`;
    for (const el of Array.from(document.querySelectorAll('img, button'))) {
      const set = buildSelectorSet(el);
      expect(set.aria).toBeUndefined();
      expect(set.text).toBeUndefined();
      expect(JSON.stringify(set)).not.toContain('Jo Doe');
      expect(document.querySelector(set.css)).toBe(el);
    }
  });

  it('uses a positional path when nothing stable exists', () => {
    document.body.innerHTML = '<div><div><span></span><span></span></div><div><span></span></div></div>';
    const span = document.querySelectorAll('span')[1]!;
    const css = buildCssSelector(span);
    expect(document.querySelector(css)).toBe(span);
    expect(buildXPath(span)).toBe('/html/body/div/div[1]/span[2]');
  });
});
