// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { buildShop } from './testing/shop-dom';
import { CHECKOUT_HTML } from './testing/checkout-dom';
import {
  $,
  blur,
  change,
  click,
  ofType,
  start,
  state,
  typeInto,
  types,
  useCaptureHarness,
} from './testing/capture-harness';

/** startPageCapture end to end in happy-dom: values, privacy, scroll, resize and visibility. */
useCaptureHarness();

describe('values', () => {
  it('records typing once it settles, with the final value', () => {
    buildShop();
    start();
    typeInto($('input[name="q"]'), 'blue mug');
    expect(ofType('input')).toEqual([]);
    vi.advanceTimersByTime(800);
    const inputs = ofType('input');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({
      value: 'blue mug',
      target: { tag: 'input', selectors: { css: 'input[name="q"]' } },
    });
    expect(inputs[0]!.mask).toBeUndefined();
  });

  it('emits pending typing at once on blur, and before a click elsewhere', () => {
    buildShop();
    start();
    typeInto($('input[name="q"]'), 'mug', 10);
    blur($('input[name="q"]'));
    expect(ofType('input').map((e) => e.value)).toEqual(['mug']);
    typeInto($('#nl-email'), 'a', 10);
    typeInto($('textarea[name="notes"]'), 'gift', 10);
    click($('.brand'));
    expect(types().slice(1)).toEqual(['input', 'input', 'click']);
  });

  it('a change flushes the pending input and reports the commit', () => {
    buildShop();
    start();
    typeInto($('textarea[name="notes"]'), 'wrap it', 10);
    change($('textarea[name="notes"]'));
    expect(state.events.map((e) => [e.type, 'value' in e ? e.value : undefined])).toEqual([
      ['input', 'wrap it'],
      ['change', 'wrap it'],
    ]);
  });

  it('reports checkboxes and radios by change only, with checked', () => {
    buildShop();
    start();
    const agree = $<HTMLInputElement>('input[name="agree"]');
    agree.checked = true;
    agree.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    change(agree);
    const radio = $<HTMLInputElement>('input[value="monthly"]');
    radio.checked = true;
    change(radio);
    expect(ofType('input')).toEqual([]);
    expect(ofType('change').map((e) => [e.target.name, e.checked, e.value])).toEqual([
      ['agree', true, 'on'],
      ['freq', true, 'monthly'],
    ]);
  });

  it('reports a <select> as a select event with value and selected text', () => {
    buildShop();
    start();
    const select = $<HTMLSelectElement>('select[name="qty"]');
    select.value = '1';
    select.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    change(select);
    expect(types()).toEqual(['select']);
    expect(ofType('select')[0]).toMatchObject({
      value: '1',
      selectedText: 'One',
      target: { tag: 'select', type: 'select-one' },
    });
  });

  it('reports submit after flushing what was typed', () => {
    buildShop();
    start();
    typeInto($('#nl-email'), 'x', 10);
    $('#newsletter').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(types()).toEqual(['input', 'submit']);
    expect(ofType('submit')[0]).toMatchObject({
      target: { tag: 'form', id: 'newsletter' },
      context: { landmark: { role: 'main' } },
    });
  });

  it('captures change events inside open shadow roots (they are not composed)', () => {
    document.body.innerHTML = '<x-field></x-field>';
    const shadow = $('x-field').attachShadow({ mode: 'open' });
    shadow.innerHTML = '<input type="checkbox" name="gift" id="gift">';
    start();
    const box = shadow.querySelector('input')!;
    box.dispatchEvent(new FocusEvent('focusin', { bubbles: true, composed: true }));
    box.checked = true;
    box.dispatchEvent(new Event('change', { bubbles: true, composed: false }));
    expect(ofType('change').map((e) => [e.target.id, e.target.shadowPath, e.checked])).toEqual([
      ['gift', ['x-field'], true],
    ]);
  });
});

describe('privacy end to end', () => {
  const SECRETS = {
    password: 'Tr0ub4dor&3-horse',
    email: 'jo.doe@example.org',
    phone: '+1 415 555 0199',
    card: '4242 4242 4242 4242',
    expiry: '11/29',
    cvc: '737',
    otp: '862514',
    gift: 'For Jo, with love',
    editor: 'My home is 1 Elm St',
  };

  it('lets no planted secret through, whatever events the fields produce', () => {
    document.body.innerHTML = CHECKOUT_HTML;
    start();
    typeInto($('#name'), 'Pat');
    typeInto($('#email'), SECRETS.email);
    typeInto($('#password'), SECRETS.password);
    // Keys typed into the password field, including shortcuts, are never recorded beyond Enter/Tab/Escape.
    for (const key of ['a', 'V', '@']) {
      $('#password').dispatchEvent(
        new KeyboardEvent('keydown', { key, ctrlKey: key === 'V', altKey: key === '@', bubbles: true, composed: true }),
      );
    }
    $('#password').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Tab', code: 'Tab', bubbles: true, composed: true }),
    );
    blur($('#password'));
    typeInto($('#phone'), SECRETS.phone);
    typeInto($('#cardnumber'), SECRETS.card);
    change($('#cardnumber'));
    typeInto($('#expiry'), SECRETS.expiry);
    typeInto($('#cvc'), SECRETS.cvc);
    typeInto($('#otp'), SECRETS.otp);
    typeInto($('#gift'), SECRETS.gift);
    typeInto($('#notes'), `leave at door, card ${SECRETS.card}, mail ${SECRETS.email}`);
    const editor = $('#editor');
    editor.textContent = SECRETS.editor;
    editor.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    click(editor);
    $('#notes').dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', bubbles: true, composed: true }),
    );
    $('#checkout-form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    state.capture!.flush();

    const json = JSON.stringify(state.events);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(json, name).not.toContain(secret);
    }
    expect(json).not.toContain('4242');
    expect(json).not.toContain('Tr0ub4dor');

    const byField = (id: string) => ofType('input').find((e) => e.target.id === id);
    expect(byField('password')).toMatchObject({ mask: { rule: 'password', lengthClass: '13-32' } });
    expect(byField('password')).not.toHaveProperty('value');
    expect(byField('email')!.mask!.rule).toBe('email');
    expect(byField('phone')!.mask!.rule).toBe('phone');
    expect(byField('cardnumber')!.mask!.rule).toBe('card-number');
    expect(byField('expiry')!.mask!.rule).toBe('card-expiry');
    expect(byField('cvc')!.mask!.rule).toBe('card-cvc');
    expect(byField('otp')!.mask!.rule).toBe('one-time-code');
    expect(byField('gift')!.mask!.rule).toBe('private-block');
    expect(byField('editor')!.mask!.rule).toBe('private-block');
    // A person's name is personal data (issue 14): masked by its autocomplete token.
    expect(byField('name')).toMatchObject({ mask: { rule: 'name', lengthClass: '1-4' } });
    expect(byField('name')).not.toHaveProperty('value');
    expect(byField('notes')).toMatchObject({
      value: 'leave at door, card [card], mail [email]',
      mask: { rule: 'text-card-number' },
    });
    expect(ofType('click')[0]!.target.text).toBe('masked');
    expect(ofType('keydown').map((e) => e.key)).toEqual(['Tab', 'Enter']);
    expect(types().at(-1)).toBe('submit');
  });
});

describe('scroll, resize and visibility', () => {
  it('throttles window scrolls and always ends on the last position', () => {
    buildShop();
    start();
    for (let y = 100; y <= 1000; y += 100) {
      window.scrollTo(0, y);
      document.dispatchEvent(new Event('scroll', { bubbles: true }));
      vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(1_000);
    const scrolls = ofType('scroll');
    expect(scrolls.length).toBeGreaterThanOrEqual(2);
    expect(scrolls.length).toBeLessThanOrEqual(4);
    expect(scrolls[0]!.scrollY).toBe(100);
    expect(scrolls.at(-1)!.scrollY).toBe(1000);
    expect(scrolls.every((s) => s.target === undefined)).toBe(true);
    for (let i = 1; i < scrolls.length; i++)
      expect(scrolls[i]!.timestamp - scrolls[i - 1]!.timestamp).toBeGreaterThanOrEqual(200);
  });

  it('tracks scrollable elements separately, with their target', () => {
    buildShop();
    start();
    const list = $('ul.links');
    list.scrollTop = 40;
    list.dispatchEvent(new Event('scroll'));
    window.scrollTo(0, 300);
    document.dispatchEvent(new Event('scroll', { bubbles: true }));
    list.scrollTop = 80;
    list.dispatchEvent(new Event('scroll'));
    state.capture!.flush();
    expect(ofType('scroll').map((s) => [s.target?.selectors.css ?? 'window', s.scrollY])).toEqual([
      ['ul.links', 40],
      ['window', 300],
      ['ul.links', 80],
    ]);
  });

  it('throttles resizes, keeping the final viewport', () => {
    buildShop();
    start();
    for (let i = 0; i < 10; i++) {
      window.dispatchEvent(new Event('resize'));
      vi.advanceTimersByTime(20);
    }
    vi.advanceTimersByTime(1_000);
    expect(ofType('resize')).toHaveLength(2);
  });

  it('reports visibility and flushes pending typing when the page is hidden', () => {
    buildShop();
    start();
    typeInto($('input[name="q"]'), 'cup', 10);
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    visibility.mockReturnValue('visible');
    document.dispatchEvent(new Event('visibilitychange'));
    expect(state.events.map((e) => (e.type === 'visibility' ? `visibility:${e.state}` : e.type))).toEqual([
      'input',
      'visibility:hidden',
      'visibility:visible',
    ]);
  });

  it('flushes on pagehide', () => {
    buildShop();
    start();
    typeInto($('input[name="q"]'), 'cup', 10);
    window.dispatchEvent(new Event('pagehide'));
    expect(types()).toEqual(['input']);
  });
});
