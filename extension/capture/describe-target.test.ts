// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { Window as HappyWindow } from 'happy-dom';
import { ElementContextSchema, TargetSchema, validate } from '@codesight/schema';
import {
  actionableTarget,
  analyzeElement,
  describeContext,
  describeTarget,
  eventElement,
  framePathOf,
  MASKED_TEXT,
} from './describe-target';
import { buildShop } from './testing/shop-dom';

const $ = (selector: string) => document.querySelector(selector)!;

describe('describeTarget', () => {
  it('describes a product button with its selectors, role, name and text', () => {
    buildShop();
    const button = $('#product-4 button');
    const target = describeTarget(button);
    expect(validate(TargetSchema, target).ok).toBe(true);
    expect(target).toMatchObject({
      tag: 'button',
      classes: ['btn', 'add'],
      type: 'submit',
      role: 'button',
      accessibleName: 'Add to cart',
      text: 'Add to cart',
      shadowPath: [],
      framePath: [],
      selectors: {
        css: '#product-4 button',
        xpath: '//*[@id="product-4"]/button',
        aria: 'role=button[name="Add to cart"]',
      },
    });
    expect(target.boundingBox).toEqual({ x: 0, y: 0, width: 0, height: 0 });
  });

  it('gives links their absolute href, masked', () => {
    document.body.innerHTML = '<a href="/p/1">Mug</a><a href="mailto:jo@example.com">Write</a>';
    const [product, mail] = Array.from(document.querySelectorAll('a'));
    expect(describeTarget(product!).href).toBe(new URL('/p/1', location.href).href);
    expect(describeTarget(mail!).href).toBe('mailto:[email]');
  });

  it('collapses, masks and caps the visible text', () => {
    document.body.innerHTML = `<p id="p">  Send   to jo@example.com
      with card 4111 1111 1111 1111 ${'and more '.repeat(40)}</p>`;
    const text = describeTarget($('#p')).text!;
    expect(text.startsWith('Send to [email] with card [card] and more')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text).not.toMatch(/\s{2}/);
  });

  it('says "masked" for elements in private blocks, and keeps private content out of ancestors\' text', () => {
    document.body.innerHTML =
      '<div id="outer">Ship to <span data-private id="addr">12 Main St, Springfield</span> today</div>';
    expect(describeTarget($('#addr')).text).toBe(MASKED_TEXT);
    expect(describeTarget($('#outer')).text).toBe('Ship to today');
    expect(JSON.stringify(describeTarget($('#addr')))).not.toContain('Main St');
  });

  it('masks the text of a sensitive contenteditable region', () => {
    document.body.innerHTML = '<div contenteditable="true" aria-label="Card number" id="cc">4000 0000 0000 0002</div>';
    const target = describeTarget($('#cc'));
    expect(target.text).toBe(MASKED_TEXT);
    expect(JSON.stringify(target)).not.toContain('4000');
  });

  it('never puts a field value into the target', () => {
    document.body.innerHTML = '<textarea id="t">prefilled secret</textarea><input id="i" value="typed secret">';
    ($('#i') as HTMLInputElement).value = 'more secret';
    for (const el of [$('#t'), $('#i')]) {
      const json = JSON.stringify(describeTarget(el));
      expect(json).not.toContain('secret');
    }
  });

  it('caps classes at 32', () => {
    document.body.innerHTML = `<div id="d" class="${Array.from({ length: 40 }, (_, i) => `c${i}x`).join(' ')}"></div>`;
    expect(describeTarget($('#d')).classes).toHaveLength(32);
  });

  it('lists shadow hosts outermost first, each unique in its own root', () => {
    document.body.innerHTML = '<x-app id="app"></x-app><x-app></x-app>';
    const outer = document.querySelector('#app')!.attachShadow({ mode: 'open' });
    outer.innerHTML = '<x-cart class="cart"></x-cart><x-cart></x-cart>';
    const inner = outer.querySelector('.cart')!.attachShadow({ mode: 'open' });
    inner.innerHTML = '<button>Pay</button>';
    const target = describeTarget(inner.querySelector('button')!);
    expect(target.shadowPath).toHaveLength(2);
    expect(document.querySelector(target.shadowPath[0]!)).toBe(outer.host);
    expect(outer.querySelector(target.shadowPath[1]!)).toBe(inner.host);
    expect(inner.querySelector(target.selectors.css)).toBe(inner.querySelector('button'));
    expect(analyzeElement(inner.querySelector('button')!).isInShadowDom).toBe(true);
  });
});

describe('framePathOf', () => {
  // happy-dom does not load iframe pages in tests, so frames are separate windows wired like same-origin
  // iframes: `parent`/`top` point to the embedding window and `frameElement` to the <iframe> in it.
  function frameIn(parent: HappyWindow, frameElement: Element | null): HappyWindow {
    const child = new HappyWindow({ url: 'http://localhost:3000/frame.html' });
    Object.defineProperty(child, 'parent', { value: parent });
    Object.defineProperty(child, 'top', { value: parent.top });
    Object.defineProperty(child, 'frameElement', { value: frameElement });
    return child;
  }

  it('lists the iframes from the top document down', async () => {
    const top = new HappyWindow({ url: 'http://localhost:3000/' });
    top.document.body.innerHTML = '<iframe data-testid="checkout-frame"></iframe><iframe></iframe>';
    const middle = frameIn(top, top.document.querySelector('iframe') as unknown as Element);
    middle.document.body.innerHTML = '<div><iframe></iframe></div><iframe id="payment"></iframe>';
    const inner = frameIn(middle, middle.document.querySelector('#payment') as unknown as Element);
    inner.document.body.innerHTML = '<button id="inner-button">Go</button>';
    const button = inner.document.querySelector('#inner-button') as unknown as Element;
    expect(framePathOf(button)).toEqual(['[data-testid="checkout-frame"]', '#payment']);
    expect(analyzeElement(button).isInIframe).toBe(true);
    await Promise.all([top, middle, inner].map((w) => w.happyDOM.close()));
  });

  it('is empty when a frame on the way is cross-origin (no frameElement)', async () => {
    const top = new HappyWindow({ url: 'http://localhost:3000/' });
    const child = frameIn(top, null);
    child.document.body.innerHTML = '<button>Go</button>';
    expect(framePathOf(child.document.querySelector('button') as unknown as Element)).toEqual([]);
    await Promise.all([top, child].map((w) => w.happyDOM.close()));
  });

  it('is empty in the top document', () => {
    document.body.innerHTML = '<button>x</button>';
    expect(framePathOf($('button'))).toEqual([]);
    expect(analyzeElement($('button')).isInIframe).toBe(false);
  });
});

describe('describeContext', () => {
  it('finds the form, landmark and nearest heading of a product button', () => {
    buildShop();
    const context = describeContext(document.querySelectorAll('button.add')[2]!);
    expect(validate(ElementContextSchema, context).ok).toBe(true);
    expect(context).toEqual({
      landmark: { role: 'region', name: 'Products', selector: 'section[aria-label="Products"]' },
      heading: 'Tea cup',
    });
  });

  it('reports the form with its resolved action', () => {
    buildShop();
    const context = describeContext($('#nl-email'));
    expect(context.form).toEqual({
      selector: '#newsletter',
      id: 'newsletter',
      name: 'newsletter',
      action: new URL('/subscribe', location.href).href,
    });
    expect(context.landmark).toEqual({ role: 'form', selector: '#newsletter' });
    expect(context.heading).toBe('Mugs & cups');
  });

  it('treats role=search and nav as landmarks', () => {
    buildShop();
    expect(describeContext($('input[name="q"]')).landmark).toEqual({ role: 'search', selector: 'form.search' });
    expect(describeContext($('#nav-cart')).landmark).toEqual({
      role: 'navigation',
      name: 'Main',
      selector: 'nav[aria-label="Main"]',
    });
  });

  it('crosses shadow hosts to find the landmark', () => {
    buildShop();
    const shadow = $('shop-checkout-button').shadowRoot!;
    expect(describeContext(shadow.querySelector('#checkout')!).landmark?.role).toBe('main');
  });

  it('does not take the heading from a private block, and masks it otherwise', () => {
    document.body.innerHTML =
      '<section><h2 data-private>Orders of Jo Doe</h2><button id="a">x</button></section><section><h2>Mail jo@example.com</h2><button id="b">y</button></section>';
    expect(describeContext($('#a')).heading).toBeUndefined();
    expect(describeContext($('#b')).heading).toBe('Mail [email]');
  });

  it('does not look past the enclosing section for a heading', () => {
    document.body.innerHTML =
      '<section><h2>First</h2></section><section><button id="b">y</button><h2>Second</h2></section>';
    expect(describeContext($('#b')).heading).toBeUndefined();
  });
});

describe('analyzeElement', () => {
  it.each([
    ['<button data-t>x</button>', { isInteractive: true, isDisabled: false, isEditable: false }],
    ['<button data-t disabled>x</button>', { isInteractive: true, isDisabled: true, isEditable: false }],
    ['<fieldset disabled><input data-t></fieldset>', { isInteractive: true, isDisabled: true, isEditable: false }],
    [
      '<fieldset disabled><legend><input data-t></legend></fieldset>',
      { isInteractive: true, isDisabled: false, isEditable: true },
    ],
    [
      '<div aria-disabled="true"><div data-t role="button">x</div></div>',
      { isInteractive: true, isDisabled: true, isEditable: false },
    ],
    ['<input data-t>', { isInteractive: true, isDisabled: false, isEditable: true }],
    ['<input data-t readonly>', { isInteractive: true, isDisabled: false, isEditable: false }],
    ['<input data-t type="checkbox">', { isInteractive: true, isDisabled: false, isEditable: false }],
    ['<textarea data-t></textarea>', { isInteractive: true, isDisabled: false, isEditable: true }],
    [
      '<div contenteditable="true"><p data-t>x</p></div>',
      { isInteractive: false, isDisabled: false, isEditable: true },
    ],
    ['<div data-t onclick="void 0">x</div>', { isInteractive: true, isDisabled: false, isEditable: false }],
    ['<p data-t>text</p>', { isInteractive: false, isDisabled: false, isEditable: false }],
  ])('%s', (html, expected) => {
    document.body.innerHTML = html;
    expect(analyzeElement($('[data-t]'))).toEqual({ ...expected, isInShadowDom: false, isInIframe: false });
  });
});

describe('actionableTarget and eventElement', () => {
  it('attributes a click on a span to its button, but not plain text to a focusable wrapper', () => {
    document.body.innerHTML =
      '<div tabindex="0" id="page"><p id="p">text</p><button id="b"><span id="s">Buy</span></button></div>';
    expect(actionableTarget($('#s'))).toBe($('#b'));
    expect(actionableTarget($('#p'))).toBe($('#p'));
  });

  it('finds the real element inside an open shadow root from a window listener', () => {
    buildShop();
    const inner = $('shop-checkout-button').shadowRoot!.querySelector('#checkout')!;
    let seen: Element | null = null;
    const listener = (e: Event) => (seen = eventElement(e));
    window.addEventListener('click', listener, { capture: true });
    inner.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    window.removeEventListener('click', listener, { capture: true });
    expect(seen).toBe(inner);
  });
});
