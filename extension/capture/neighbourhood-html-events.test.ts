// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { CHECKOUT_HTML } from './testing/checkout-dom';
import { $, blur, change, click, ofType, start, state, typeInto, useCaptureHarness } from './testing/capture-harness';
import { buildShop } from './testing/shop-dom';
import { TARGET_MARKER } from './neighbourhood-html';

/** Which captured events carry the HTML neighbourhood, through startPageCapture (the harness validates each). */
useCaptureHarness();

const PASSWORD = 'Hunter2-Sup3rSecret!';
const EMAIL = 'jane.planted@example.com';

describe('neighbourhoodHtml on captured events', () => {
  it('clicks carry it with the target marked; double clicks, hovers and scrolls do not', () => {
    buildShop();
    start();
    const button = $('#product-4 button');
    click(button);
    click(button, {}, 'dblclick');
    button.dispatchEvent(new MouseEvent('mouseover', { bubbles: true, composed: true, clientX: 5, clientY: 5 }));
    vi.advanceTimersByTime(1500);
    window.dispatchEvent(new Event('scroll'));
    vi.advanceTimersByTime(500);
    const [first] = ofType('click');
    expect(first?.neighbourhoodHtml).toContain(TARGET_MARKER);
    expect(first?.neighbourhoodHtml).toContain('id="product-4"');
    const others = state.events.filter((e) => e.type !== 'click' && e.type !== 'navigation');
    expect(others.map((e) => e.type)).toEqual(expect.arrayContaining(['dblclick', 'hover']));
    for (const event of others) expect('neighbourhoodHtml' in event, event.type).toBe(false);
  });

  it('values and submits carry it, without what was typed', () => {
    document.body.innerHTML = CHECKOUT_HTML;
    start();
    typeInto($('#email'), EMAIL, 5);
    blur($('#email'));
    typeInto($('#password'), PASSWORD, 5);
    $('#password').setAttribute('value', PASSWORD);
    change($('#password'));
    $('#name').setAttribute('value', EMAIL);
    $('#shipping').dispatchEvent(new Event('change', { bubbles: true }));
    $('#checkout-form').dispatchEvent(new Event('submit', { bubbles: true }));
    const carrying = [...ofType('input'), ...ofType('change'), ...ofType('select'), ...ofType('submit')];
    expect(carrying.map((e) => e.type)).toEqual(expect.arrayContaining(['input', 'change', 'select', 'submit']));
    for (const event of carrying) {
      expect(event.neighbourhoodHtml, event.type).toContain(TARGET_MARKER);
      expect(event.neighbourhoodHtml).not.toContain(PASSWORD);
      expect(event.neighbourhoodHtml).not.toContain(EMAIL);
    }
    expect(ofType('submit')[0]?.neighbourhoodHtml).toMatch(
      new RegExp(`^<form id="checkout-form"[^>]*${TARGET_MARKER}>`),
    );
    expect(JSON.stringify(state.events)).not.toContain(PASSWORD);
  });
});
