import type { Target } from '../../../entities/target';
import { sampleTarget } from '../../../testing/events';
import type { Action } from '../../actions';

const T0 = 1_752_327_000_000;
const ORIGIN = 'https://shop.example';
const viewport = { width: 1280, height: 720, devicePixelRatio: 1 };

/** A target with the given CSS selector and whatever else the test needs. */
export function flowTarget(css: string, overrides: Partial<Target> = {}): Target {
  return sampleTarget({
    id: undefined,
    role: undefined,
    accessibleName: undefined,
    text: undefined,
    selectors: { css, xpath: `//*[@data-x="${css}"]` },
    ...overrides,
  });
}

/**
 * A shopping session's actions, as buildActions makes them: search, open a product (a link click
 * loading the next page), choose a quantity, add to cart, check out through a shadow-root button,
 * fill a masked email and password, click in an iframe, scroll, press Enter.
 */
export function shopActions(): Action[] {
  let index = 0;
  const at = (operation: Action['operation'], fields: Partial<Action> & { url?: string }): Action => {
    const i = index++;
    return {
      index: i,
      operation,
      sequences: [i + 1],
      startTime: T0 + i * 1000,
      endTime: T0 + i * 1000,
      url: `${ORIGIN}/index.html`,
      tabId: 1,
      frameId: 0,
      ...fields,
    };
  };
  const search = flowTarget('[data-testid="search-input"]', {
    tag: 'input',
    accessibleName: 'Search products',
    selectors: {
      css: '[data-testid="search-input"]',
      xpath: '//*[@id="search"]',
      aria: 'role=searchbox[name="Search products"]',
    },
  });
  const product = flowTarget('[data-testid="product-link-2"]', {
    tag: 'a',
    selectors: {
      css: '[data-testid="product-link-2"]',
      xpath: '//a[2]',
      aria: 'role=link[name="Merino Wool Socks $14.50"]',
    },
  });
  const checkout = flowTarget('#checkout', {
    shadowPath: ['shop-checkout-button'],
    selectors: {
      css: '#checkout',
      xpath: '//*[@id="checkout"]',
      aria: 'role=button[name="Proceed to checkout"]',
      text: 'text=Proceed to checkout',
    },
  });
  const email = flowTarget('#email', { tag: 'input', type: 'email', accessibleName: 'Email' });
  const password = flowTarget('#password', {
    tag: 'input',
    type: 'password',
    accessibleName: 'Create account password',
  });
  const inFrame = flowTarget('[data-testid="inner-button"]', { framePath: ['#inner-frame'] });
  return [
    at('navigate', { navigationType: 'load' }),
    at('type', { target: search, value: 'socks' }),
    at('keypress', { target: search, key: 'Enter', modifiers: { alt: false, ctrl: false, meta: false, shift: false } }),
    at('click', { target: product, clickCount: 1, button: 0, offset: { x: 10, y: 12 }, viewport }),
    at('navigate', { url: `${ORIGIN}/product.html?id=2`, navigationType: 'load', causedBy: 3 }),
    at('select', {
      target: flowTarget('#quantity', { tag: 'select' }),
      value: '2',
      selectedText: '2',
      url: `${ORIGIN}/product.html?id=2`,
    }),
    at('click', { target: checkout, clickCount: 1, button: 0, offset: { x: 5, y: 5 }, url: `${ORIGIN}/cart.html` }),
    at('navigate', { url: `${ORIGIN}/checkout.html`, navigationType: 'load', causedBy: 6 }),
    at('type', { target: email, mask: { rule: 'email', lengthClass: '13-32' }, url: `${ORIGIN}/checkout.html` }),
    at('type', { target: password, mask: { rule: 'password', lengthClass: '13-32' }, url: `${ORIGIN}/checkout.html` }),
    at('click', {
      target: inFrame,
      clickCount: 1,
      button: 0,
      offset: { x: 3, y: 3 },
      url: `${ORIGIN}/frame-inner.html`,
    }),
    at('scroll', { scroll: { x: 0, y: 2400 }, viewport, url: `${ORIGIN}/long.html` }),
  ];
}
