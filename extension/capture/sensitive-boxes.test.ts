// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHECKOUT_HTML } from './testing/checkout-dom';
import { boxesInParent, clipToViewport, collectSensitiveBoxes, intersect } from './sensitive-boxes';

afterEach(() => {
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

/** Lays every element out as a 100 x 20 row, one under the other, so each has a box to find. */
function layOutRows(root: ParentNode): Map<Element, DOMRect> {
  const boxes = new Map<Element, DOMRect>();
  let y = 0;
  for (const el of root.querySelectorAll('*')) {
    const rect = DOMRect.fromRect({ x: 10, y, width: 100, height: 20 });
    boxes.set(el, rect);
    vi.spyOn(el, 'getBoundingClientRect').mockReturnValue(rect);
    y += 20;
  }
  return boxes;
}

describe('collectSensitiveBoxes', () => {
  it('finds every field and block the event masking masks, and nothing else', () => {
    vi.spyOn(window, 'innerWidth', 'get').mockReturnValue(1_000);
    vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(10_000);
    document.body.innerHTML = CHECKOUT_HTML;
    const rows = layOutRows(document);
    // The gift field and the editor lie inside the two private blocks: the block's own box covers them.
    const expected = ['name', 'email', 'password', 'phone', 'cardnumber', 'expiry', 'cvc', 'otp', 'private-block']
      .map((id) => document.getElementById(id)!)
      .concat([document.querySelector('[data-codesight-block]')!]);
    const found = collectSensitiveBoxes(document);
    const expectedYs = expected.map((el) => rows.get(el)!.y).sort((a, b) => a - b);
    expect(found.map((b) => b.y).sort((a, b) => a - b)).toEqual(expectedYs);
    // The notes, terms, shipping and button are not masked: no box for them.
    for (const id of ['notes', 'terms', 'shipping', 'place-order']) {
      expect(found.some((b) => b.y === rows.get(document.getElementById(id)!)!.y)).toBe(false);
    }
  });

  it('looks inside open shadow roots and leaves out boxes outside the viewport', () => {
    vi.spyOn(window, 'innerWidth', 'get').mockReturnValue(800);
    vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(600);
    document.body.innerHTML = '<div id="host"></div><input id="below" type="password">';
    const shadow = document.getElementById('host')!.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<input id="inner" type="password">';
    vi.spyOn(shadow.getElementById('inner')!, 'getBoundingClientRect').mockReturnValue(
      DOMRect.fromRect({ x: 700, y: 590, width: 200, height: 30 }),
    );
    vi.spyOn(document.getElementById('below')!, 'getBoundingClientRect').mockReturnValue(
      DOMRect.fromRect({ x: 0, y: 900, width: 200, height: 30 }),
    );
    expect(collectSensitiveBoxes(document)).toEqual([{ x: 700, y: 590, width: 100, height: 10 }]);
  });
});

describe('box geometry', () => {
  it('intersects and clips, and says when nothing is left', () => {
    expect(intersect({ x: 0, y: 0, width: 10, height: 10 }, { x: 5, y: 5, width: 10, height: 10 })).toEqual({
      x: 5,
      y: 5,
      width: 5,
      height: 5,
    });
    expect(intersect({ x: 0, y: 0, width: 5, height: 5 }, { x: 5, y: 0, width: 5, height: 5 })).toBeUndefined();
    expect(clipToViewport({ x: -10, y: -10, width: 30, height: 30 }, { width: 15, height: 100 })).toEqual({
      x: 0,
      y: 0,
      width: 15,
      height: 20,
    });
  });

  it('moves a frame’s boxes into its parent and cuts what the frame does not show', () => {
    const frame = { x: 100, y: 50, width: 300, height: 200 };
    expect(
      boxesInParent(
        [
          { x: 10, y: 10, width: 50, height: 20 },
          { x: 280, y: 190, width: 50, height: 50 },
          { x: 400, y: 10, width: 10, height: 10 },
        ],
        frame,
      ),
    ).toEqual([
      { x: 110, y: 60, width: 50, height: 20 },
      { x: 380, y: 240, width: 20, height: 10 },
    ]);
  });
});
