// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { buildShop } from './testing/shop-dom';
import { CHECKOUT_HTML } from './testing/checkout-dom';
import { $, click, ofType, START, start, state, typeInto, types, useCaptureHarness } from './testing/capture-harness';

/** startPageCapture end to end in happy-dom: lifecycle, pointer, hover, keys and navigation. */
useCaptureHarness();

describe('start, stop and load', () => {
  it('emits the load navigation only when asked', () => {
    buildShop();
    start({ emitLoad: true });
    expect(state.events).toEqual([
      { type: 'navigation', navigationType: 'load', timestamp: START, url: 'http://localhost:3000/shop', fromUrl: '' },
    ]);
    state.capture!.stop();
    state.events = [];
    start();
    expect(state.events).toEqual([]);
  });

  it('carries the referring page of a load as fromUrl, masked', () => {
    buildShop();
    const referrer = vi
      .spyOn(document, 'referrer', 'get')
      .mockReturnValue('http://localhost:3000/cart?mail=jo@example.com');
    start({ emitLoad: true });
    expect(state.events[0]).toMatchObject({
      navigationType: 'load',
      fromUrl: 'http://localhost:3000/cart?mail=[email]',
    });
    referrer.mockRestore();
  });

  it('leaves tabId and frameId to the background and carries the masked title', () => {
    buildShop();
    document.title = 'Orders of jo@example.com';
    start({ emitLoad: true });
    expect(state.events[0]).not.toHaveProperty('tabId');
    expect(state.events[0]).not.toHaveProperty('frameId');
    expect(state.events[0]!.title).toBe('Orders of [email]');
    document.title = '';
  });

  it('stop flushes pending typing, then removes every listener and timer', () => {
    buildShop();
    const { stop } = start(); // methods work detached from the object
    typeInto($('input[name="q"]'), 'mug');
    stop();
    expect(types()).toEqual(['input']);
    click($('.brand'));
    window.dispatchEvent(new Event('resize'));
    history.pushState(null, '', '/elsewhere');
    vi.advanceTimersByTime(10_000);
    expect(types()).toEqual(['input']);
    expect(vi.getTimerCount()).toBe(0);
    stop();
  });

  it('never throws into the page when the consumer throws', () => {
    buildShop();
    const onError = vi.fn();
    start({
      emit: () => {
        throw new Error('consumer broke');
      },
      onError,
    });
    expect(() => click($('.brand'))).not.toThrow();
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'consumer broke' }));
  });

  it('ignores script-dispatched events when trustedOnly is set', () => {
    buildShop();
    start({ trustedOnly: true });
    click($('.brand'));
    expect(state.events).toEqual([]);
  });
});

describe('pointer events', () => {
  it('records a click on a span as a click on its button, with pointer details', () => {
    buildShop();
    const span = document.createElement('span');
    span.textContent = 'Add to cart';
    const button = $('#product-4 button');
    button.textContent = '';
    button.append(span);
    start();
    click(span, { clientX: 120, clientY: 64, ctrlKey: true, button: 0 });
    const [event] = ofType('click');
    expect(event).toMatchObject({
      type: 'click',
      url: 'http://localhost:3000/shop',
      coordinates: { x: 120, y: 64 },
      // happy-dom has no layout: boxes are empty, so the offset is the client position and nothing is visible.
      offsetX: 120,
      offsetY: 64,
      viewport: { width: window.innerWidth, height: window.innerHeight, devicePixelRatio: 1 },
      modifiers: { alt: false, ctrl: true, meta: false, shift: false },
      button: 0,
      isVisible: false,
      target: { tag: 'button', selectors: { css: '#product-4 button' }, text: 'Add to cart' },
      context: { landmark: { role: 'region', name: 'Products' }, heading: 'Espresso cup' },
      elementAnalysis: {
        isInteractive: true,
        isDisabled: false,
        isEditable: false,
        isInShadowDom: false,
        isInIframe: false,
      },
    });
  });

  it('records dblclick and contextmenu with their button', () => {
    buildShop();
    start();
    click($('.brand'), {}, 'dblclick');
    click($('.brand'), { button: 2 }, 'contextmenu');
    expect(types()).toEqual(['dblclick', 'contextmenu']);
    expect(ofType('contextmenu')[0]!.button).toBe(2);
  });

  it('resolves clicks inside an open shadow root to the real element', () => {
    buildShop();
    start();
    const inner = $('shop-checkout-button').shadowRoot!.querySelector('#checkout')!;
    click(inner);
    const [event] = ofType('click');
    expect(event!.target).toMatchObject({
      tag: 'button',
      id: 'checkout',
      shadowPath: ['shop-checkout-button'],
      selectors: { css: '#checkout' },
    });
    expect(event!.elementAnalysis.isInShadowDom).toBe(true);
  });

  it('counts a label click and the click it forwards to its control once', () => {
    document.body.innerHTML = CHECKOUT_HTML;
    start();
    const box = $<HTMLInputElement>('#terms');
    const seenByPage: string[] = [];
    box.addEventListener('click', () => seenByPage.push('input'));
    // The label's activation behaviour forwards a second click to the checkbox (happy-dom does this too).
    (box.closest('label') as HTMLLabelElement).click();
    expect(seenByPage).toEqual(['input']);
    expect(box.checked).toBe(true);
    expect(ofType('click').map((e) => e.target.tag)).toEqual(['label']);
    vi.advanceTimersByTime(1_000);
    click(box);
    expect(ofType('click').map((e) => e.target.tag)).toEqual(['label', 'input']);
  });

  it('uses the hit test for isVisible when the browser has layout', () => {
    buildShop();
    start();
    const button = $('#product-4 button');
    vi.spyOn(button, 'getBoundingClientRect').mockReturnValue(
      DOMRect.fromRect({ x: 100, y: 50, width: 80, height: 30 }),
    );
    const fromPoint = vi.spyOn(document, 'elementFromPoint').mockReturnValue(button);
    click(button, { clientX: 120, clientY: 64 });
    fromPoint.mockReturnValue($('h1'));
    click(button, { clientX: 120, clientY: 64 });
    expect(ofType('click').map((e) => [e.isVisible, e.offsetX, e.offsetY])).toEqual([
      [true, 20, 14],
      [false, 20, 14],
    ]);
  });
});

describe('hover', () => {
  it('emits one hover once the pointer rests on an interactive element', () => {
    buildShop();
    start();
    const link = $('#nav-cart');
    link
      .querySelector('span')!
      .dispatchEvent(new MouseEvent('mouseover', { bubbles: true, composed: true, clientX: 5, clientY: 6 }));
    vi.advanceTimersByTime(500);
    link.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, composed: true, clientX: 9, clientY: 7 }));
    vi.advanceTimersByTime(499);
    expect(ofType('hover')).toEqual([]);
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(5_000);
    const hovers = ofType('hover');
    expect(hovers).toHaveLength(1);
    expect(hovers[0]).toMatchObject({
      coordinates: { x: 9, y: 7 },
      dwellMs: 1000,
      target: { tag: 'a', id: 'nav-cart' },
    });
  });

  it('ignores plain content and pointers that move on or click early', () => {
    buildShop();
    start();
    $('h1').dispatchEvent(new MouseEvent('mouseover', { bubbles: true, composed: true }));
    vi.advanceTimersByTime(2_000);
    $('.brand').dispatchEvent(new MouseEvent('mouseover', { bubbles: true, composed: true }));
    vi.advanceTimersByTime(300);
    $('.brand').dispatchEvent(new MouseEvent('mousedown', { bubbles: true, composed: true }));
    vi.advanceTimersByTime(2_000);
    expect(ofType('hover')).toEqual([]);
  });
});

describe('keys', () => {
  function press(el: Element, init: KeyboardEventInit) {
    el.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, composed: true, cancelable: true, ...init }));
  }

  it('records Enter, Escape, Tab and shortcuts, never plain typing', () => {
    buildShop();
    start();
    const q = $('input[name="q"]');
    press(q, { key: 'm', code: 'KeyM' });
    press(q, { key: 'M', code: 'KeyM', shiftKey: true });
    press(q, { key: 'Control', code: 'ControlLeft', ctrlKey: true });
    press(q, { key: 'a', code: 'KeyA', ctrlKey: true });
    press(q, { key: '@', code: 'KeyQ', ctrlKey: true, altKey: true }); // AltGr+Q on a German layout
    press(q, { key: 'ArrowLeft', code: 'ArrowLeft', altKey: true });
    press(q, { key: 'Escape', code: 'Escape' });
    press(document.body, { key: 'Tab', code: 'Tab', shiftKey: true });
    expect(
      ofType('keydown').map((e) => [e.key, e.modifiers.ctrl, e.modifiers.alt, e.modifiers.shift, e.target?.tag]),
    ).toEqual([
      ['a', true, false, false, 'input'],
      ['ArrowLeft', false, true, false, 'input'],
      ['Escape', false, false, false, 'input'],
      ['Tab', false, false, true, undefined],
    ]);
  });

  it('Enter pushes out the pending typed value first', () => {
    buildShop();
    start();
    typeInto($('input[name="q"]'), 'mug', 10);
    press($('input[name="q"]'), { key: 'Enter', code: 'Enter' });
    expect(types()).toEqual(['input', 'keydown']);
  });
});

describe('navigation', () => {
  it('detects pushState by polling, with the previous URL', () => {
    buildShop();
    start();
    history.pushState(null, '', '/shop/cart?step=2');
    vi.advanceTimersByTime(499);
    expect(ofType('navigation')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ofType('navigation')).toEqual([
      {
        type: 'navigation',
        timestamp: START + 500,
        url: 'http://localhost:3000/shop/cart?step=2',
        navigationType: 'push_state',
        fromUrl: 'http://localhost:3000/shop',
      },
    ]);
  });

  it('reports the URL change before the event that follows it, and that event carries the new URL', () => {
    buildShop();
    start();
    history.pushState(null, '', '/shop/p/4');
    click($('.brand'));
    expect(types()).toEqual(['navigation', 'click']);
    expect(state.events[1]!.url).toBe('http://localhost:3000/shop/p/4');
  });

  it('labels popstate and hash changes', () => {
    buildShop();
    start();
    history.pushState(null, '', '/shop/a');
    window.dispatchEvent(new PopStateEvent('popstate'));
    history.pushState(null, '', '/shop/a#reviews');
    window.dispatchEvent(new Event('hashchange'));
    history.pushState(null, '', '/shop/a#specs');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(ofType('navigation').map((e) => [e.navigationType, e.fromUrl, e.url])).toEqual([
      ['popstate', 'http://localhost:3000/shop', 'http://localhost:3000/shop/a'],
      ['hashchange', 'http://localhost:3000/shop/a', 'http://localhost:3000/shop/a#reviews'],
      ['hashchange', 'http://localhost:3000/shop/a#reviews', 'http://localhost:3000/shop/a#specs'],
    ]);
  });

  it('masks emails in URLs', () => {
    buildShop();
    start();
    history.pushState(null, '', '/account?email=jo%40example.com');
    vi.advanceTimersByTime(500);
    expect(ofType('navigation')[0]!.url).toBe('http://localhost:3000/account?email=[email]');
  });
});
