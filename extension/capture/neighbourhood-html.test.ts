// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { LIMITS } from '@codesight/schema';
import { neighbourhoodHtml, NEIGHBOURHOOD_BOUNDS, TARGET_MARKER } from './neighbourhood-html';
import { CHECKOUT_HTML } from './testing/checkout-dom';

const $ = <T extends Element = HTMLElement>(selector: string) => document.querySelector(selector) as unknown as T;

// Planted secrets: none may appear in any snippet.
const PASSWORD = 'Hunter2-Sup3rSecret!';
const EMAIL = 'jane.planted@example.com';
const CARD = '4111 1111 1111 1111';
const CARD_DIGITS = '4111111111111111';
const GIFT = 'Happy birthday Marguerite';
const NOTES = 'Leave it with Bartholomew';
const TOKEN = 'csrf-9f8e7d6c5b4a';
const SECRETS = [PASSWORD, EMAIL, CARD, CARD_DIGITS, GIFT, NOTES, TOKEN, 'planted%40example.com'];

const markers = (html: string) => html.split(TARGET_MARKER).length - 1;

/** Parses a snippet back into elements, so assertions read the structure rather than the text. */
function parse(html: string): HTMLElement {
  const box = document.createElement('div');
  box.innerHTML = html;
  return box;
}

function expectNoSecrets(html: string): void {
  for (const secret of SECRETS) expect(html.includes(secret), `${secret} in ${html}`).toBe(false);
}

/** The checkout form with every field filled the way a worker and a framework would fill it. */
function filledCheckout(): void {
  document.body.innerHTML = CHECKOUT_HTML;
  const fill = (selector: string, value: string) => {
    const field = $<HTMLInputElement>(selector);
    field.value = value;
    // Controlled inputs of some frameworks mirror the typed value into the attribute.
    field.setAttribute('value', value);
  };
  fill('#email', EMAIL);
  fill('#password', PASSWORD);
  fill('#cardnumber', CARD);
  fill('#gift', GIFT);
  fill('#name', 'Jane Planted');
  $<HTMLTextAreaElement>('#notes').value = NOTES;
  $('#notes').textContent = NOTES;
  $('#editor').textContent = `Dear ${GIFT}`;
  const hidden = document.createElement('input');
  hidden.type = 'hidden';
  hidden.name = 'csrf';
  hidden.value = TOKEN;
  hidden.setAttribute('value', TOKEN);
  $('#checkout-form').prepend(hidden);
  const help = document.createElement('p');
  help.innerHTML = `Questions? Write to ${EMAIL} or pay with ${CARD}. <a href="/help?email=${encodeURIComponent(EMAIL)}&t=${TOKEN}#token=${TOKEN}" title="mail ${EMAIL}">Help</a>`;
  $('#checkout-form').append(help);
}

describe('neighbourhoodHtml', () => {
  it('serializes the card around a clicked button, target marked, without scripts, styles, comments or SVG paths', () => {
    document.body.innerHTML = `
      <ul class="grid">
        <li class="product-card" data-testid="product-7" onclick="track()">
          <!-- tracking pixel -->
          <style>.x{color:red}</style><script>window.secret = 1</script>
          <h3>Wool socks</h3>
          <svg class="icon" aria-hidden="true"><path d="M0 0L10 10"/></svg>
          <span class="price">$12</span>
          <button class="btn add" type="button" value="sku-7" style="color: red">Add <b>to</b> cart</button>
        </li>
        <li class="product-card"><h3>Other</h3></li>
      </ul>`;
    const html = neighbourhoodHtml($('li button'))!;
    expect(html).toBe(
      '<li class="product-card" data-testid="product-7"><h3>Wool socks</h3>' +
        '<svg class="icon" aria-hidden="true"></svg><span class="price">$12</span>' +
        `<button class="btn add" type="button" value="sku-7" ${TARGET_MARKER}>Add<b>to</b>cart</button></li>`,
    );
  });

  it('climbs to the form around a field, and never past <body>', () => {
    filledCheckout();
    const html = neighbourhoodHtml($('#place-order'))!;
    const snippet = parse(html);
    expect(snippet.firstElementChild?.id).toBe('checkout-form');
    expect(snippet.querySelector(`[${TARGET_MARKER}]`)?.id).toBe('place-order');
    document.body.innerHTML = '<div><button id="lone">Go</button></div>';
    expect(neighbourhoodHtml($('#lone'))).toBe(`<div><button id="lone" ${TARGET_MARKER}>Go</button></div>`);
  });

  it('keeps planted secrets out: typed values, mirrored value attributes, private blocks, textareas, editors, tokens, text', () => {
    filledCheckout();
    for (const selector of [
      '#place-order',
      '#password',
      '#email',
      '#cardnumber',
      '#gift',
      '#notes',
      '#editor',
      '#terms',
    ]) {
      const html = neighbourhoodHtml($(selector))!;
      expect(markers(html), selector).toBe(1);
      expectNoSecrets(html);
      expect(html.length).toBeLessThanOrEqual(LIMITS.neighbourhoodHtml);
    }
    const html = neighbourhoodHtml($('#phone'))!;
    const snippet = parse(html);
    // The fields are there, described by what the page set, never by what was typed.
    expect(snippet.querySelector('#password')?.getAttribute('type')).toBe('password');
    expect(snippet.querySelector('#email')?.hasAttribute('value')).toBe(false);
    expect(snippet.querySelector('input[name="csrf"]')?.hasAttribute('value')).toBe(false);
    expect(snippet.querySelector('[data-private]')?.innerHTML).toBe('');
    const end = parse(neighbourhoodHtml($('#place-order'))!);
    expect(end.querySelector('#notes')?.innerHTML).toBe('');
    expect(end.querySelector('[data-codesight-block]')?.innerHTML).toBe('');
    expect(end.querySelector('#editor')).toBeNull();
    // Text is masked like the rest of the capture; link query values and fragments are dropped.
    expect(end.querySelector('p:last-child')?.textContent).toContain('Write to [email] or pay with [card].');
    expect(end.querySelector('a')?.getAttribute('href')).toBe('/help?email=&t=');
    expect(end.querySelector('a')?.getAttribute('title')).toBe('mail [email]');
  });

  it('marks the private block when the target lies inside one, and writes nothing of it', () => {
    filledCheckout();
    const html = neighbourhoodHtml($('#gift'))!;
    const block = parse(html).querySelector(`[${TARGET_MARKER}]`);
    expect(block?.hasAttribute('data-private')).toBe(true);
    expect(block?.innerHTML).toBe('');
    expect(block?.attributes).toHaveLength(2);
    // A block far above the target: nothing between them is written either.
    document.body.innerHTML = `<div data-private id="outer" class="secret-${EMAIL}"><form><div><label>${GIFT}<input id="deep"></label></div></form></div>`;
    const deep = neighbourhoodHtml($('#deep'))!;
    expect(deep).toBe(`<div data-private ${TARGET_MARKER}></div>`);
  });

  it('writes no text of a sensitive editable region, and marks it for a target inside', () => {
    document.body.innerHTML = `<form><label>Notes</label>
      <div contenteditable="true" id="pw" aria-label="Password"><p><span id="inner">${PASSWORD}</span></p></div>
      <div contenteditable="true" id="bio">About me</div></form>`;
    for (const selector of ['#inner', '#pw', '#bio']) {
      const html = neighbourhoodHtml($(selector))!;
      expectNoSecrets(html);
      const snippet = parse(html);
      expect(snippet.querySelector('#pw')?.innerHTML, selector).toBe('');
      // An ordinary editor's text is what the capture stores as its value anyway.
      expect(snippet.querySelector('#bio')?.textContent).toBe('About me');
    }
    expect(parse(neighbourhoodHtml($('#inner'))!).querySelector(`[${TARGET_MARKER}]`)?.id).toBe('pw');
  });

  it('keeps the options of an ordinary select and drops those of a sensitive one', () => {
    document.body.innerHTML = `<form>
      <select id="size"><option value="s">Small</option><option value="m" selected>Medium</option></select>
      <select id="exp-month" autocomplete="cc-exp-month"><option value="01">01</option></select></form>`;
    const snippet = parse(neighbourhoodHtml($('#size'))!);
    expect(snippet.querySelectorAll('#size option')).toHaveLength(2);
    expect(snippet.querySelector('#size option[selected]')?.getAttribute('value')).toBe('m');
    expect(snippet.querySelector('#exp-month')?.innerHTML).toBe('');
    const option = parse(neighbourhoodHtml($('#exp-month option'))!);
    expect(option.querySelector(`[${TARGET_MARKER}]`)?.id).toBe('exp-month');
  });

  it('follows open shadow roots and slots', () => {
    document.body.innerHTML = '<div class="product-card"><shop-buy><span slot="label">Buy now</span></shop-buy></div>';
    const host = $('shop-buy');
    host.attachShadow({ mode: 'open' }).innerHTML = '<button id="buy"><slot name="label"></slot></button>';
    const button = host.shadowRoot!.querySelector('#buy')!;
    const html = neighbourhoodHtml(button)!;
    expect(html).toContain(`<button id="buy" ${TARGET_MARKER}><slot name="label"><span>Buy now</span></slot></button>`);
    const inner = parse(neighbourhoodHtml($('span[slot]'))!);
    expect(inner.querySelector(`[${TARGET_MARKER}]`)?.textContent).toBe('Buy now');
  });

  it('is undefined for a detached target', () => {
    expect(neighbourhoodHtml(document.createElement('button'))).toBeUndefined();
  });

  describe('bounds', () => {
    it('a 3,000-card grid: the clicked card and its neighbours only, within the cap', () => {
      const cards = Array.from(
        { length: 3000 },
        (_, i) => `<div class="cell"><div class="inner"><h4>Item ${i}</h4><button>Add ${i}</button></div></div>`,
      ).join('');
      document.body.innerHTML = `<main><section class="grid">${cards}</section></main>`;
      const target = document.querySelectorAll('button')[2500]!;
      const html = neighbourhoodHtml(target)!;
      expect(html.length).toBeLessThanOrEqual(LIMITS.neighbourhoodHtml);
      expect(html).toContain(`<button ${TARGET_MARKER}>Add 2500</button>`);
      expect(html).not.toContain('Item 0<');
      expect(html).not.toContain('Item 2480<');
    });

    it('a 500-field form: the target field stays in the snippet though its siblings fill the cap', () => {
      const fields = Array.from(
        { length: 500 },
        (_, i) =>
          `<label for="f${i}">A rather long label for field number ${i}</label><input id="f${i}" name="field-${i}" class="form-control form-control-lg">`,
      ).join('');
      document.body.innerHTML = `<form id="big">${fields}</form>`;
      for (const index of [0, 250, 499]) {
        const html = neighbourhoodHtml($(`#f${index}`))!;
        expect(html.length).toBeLessThanOrEqual(LIMITS.neighbourhoodHtml);
        expect(parse(html).querySelector(`[${TARGET_MARKER}]`)?.id).toBe(`f${index}`);
        expect(html.endsWith('</form>')).toBe(true);
      }
    });

    it('cuts long text and attribute values, and keeps the path when its own tags outgrow the cap', () => {
      const long = 'word '.repeat(500);
      const classes = Array.from({ length: 40 }, (_, i) => `utility-class-${i}`).join(' ');
      const aria = Array.from({ length: 40 }, (_, i) => `aria-x${i}="${'v'.repeat(150)}"`).join(' ');
      let html = '<button id="deep">Go</button>';
      for (let i = 0; i < 6; i++) html = `<div class="${classes}" ${aria}><p>${long}</p>${html}</div>`;
      document.body.innerHTML = html;
      const snippet = neighbourhoodHtml($('#deep'))!;
      expect(snippet.length).toBeLessThanOrEqual(LIMITS.neighbourhoodHtml);
      expect(markers(snippet)).toBe(1);
      expect(parse(snippet).querySelector(`[${TARGET_MARKER}]`)?.localName).toBe('button');
      // Levels above the bound are not climbed.
      expect(parse(snippet).querySelectorAll('div').length).toBeLessThanOrEqual(NEIGHBOURHOOD_BOUNDS.levels);
    });

    it('random trees: always within the cap, one marker, no secret (seeded)', () => {
      let seed = 7;
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      const pieces = [
        () => `<p>${EMAIL} ${'x'.repeat(rand(300))}</p>`,
        () => `<input type="password" value="${PASSWORD}">`,
        () => `<div data-private>${GIFT}<span>${CARD}</span></div>`,
        () => `<a href="/p?card=${CARD_DIGITS}">link</a>`,
        () => `<textarea>${NOTES}</textarea>`,
        () => `<ul>${'<li class="row">item</li>'.repeat(rand(60))}</ul>`,
        () => `<span class="${'c '.repeat(rand(200))}">t</span>`,
      ];
      const build = (depth: number): string => {
        let out = '';
        const count = rand(8) + 1;
        for (let i = 0; i < count; i++) {
          out += depth > 0 && rand(3) === 0 ? `<div>${build(depth - 1)}</div>` : pieces[rand(pieces.length)]!();
        }
        return out;
      };
      for (let round = 0; round < 40; round++) {
        document.body.innerHTML = `<main>${build(4)}</main>`;
        const all = document.querySelectorAll('main *');
        const target = all[rand(all.length)]!;
        const html = neighbourhoodHtml(target)!;
        expect(html.length).toBeLessThanOrEqual(LIMITS.neighbourhoodHtml);
        expect(markers(html), html).toBe(1);
        expectNoSecrets(html);
      }
    });
  });
});
