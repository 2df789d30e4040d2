import { describe, expect, it } from 'vitest';
import { paintOverBoxes, REDACTION_MARGIN_PX } from './redact-pixels';

/** A frame of distinct pixels (a gradient), so any painted pixel is visible. */
function gradient(width: number, height: number): Uint8ClampedArray {
  const pixels = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) pixels.set([i % 251, (i * 7) % 253, (i * 13) % 255, 255], i * 4);
  return pixels;
}

const isFill = (p: Uint8ClampedArray, x: number, y: number, width: number) =>
  [...p.subarray((y * width + x) * 4, (y * width + x) * 4 + 4)].join() === '128,128,128,255';

describe('paintOverBoxes', () => {
  it('paints each box (plus the margin, in frame pixels) and nothing else', () => {
    const [w, h] = [40, 30];
    const pixels = gradient(w, h);
    const before = pixels.slice();
    const scale = 2; // a device pixel ratio of 2
    paintOverBoxes(pixels, w, h, [{ x: 5, y: 4, width: 4, height: 3 }], scale);
    const m = REDACTION_MARGIN_PX;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = x >= (5 - m) * scale && x < (9 + m) * scale && y >= (4 - m) * scale && y < (7 + m) * scale;
        const i = (y * w + x) * 4;
        if (inside) expect(isFill(pixels, x, y, w)).toBe(true);
        else expect([...pixels.subarray(i, i + 4)]).toEqual([...before.subarray(i, i + 4)]);
      }
    }
  });

  it('rounds fractional edges outwards and stops at the frame edge', () => {
    const [w, h] = [10, 10];
    const pixels = gradient(w, h);
    paintOverBoxes(
      pixels,
      w,
      h,
      [{ x: 7.5 + REDACTION_MARGIN_PX, y: 0.5 + REDACTION_MARGIN_PX, width: 10, height: 1 }],
      1,
    );
    expect(isFill(pixels, 7, 0, w)).toBe(true); // 7.5 rounds down to 7
    expect(isFill(pixels, 9, 5, w)).toBe(true); // up to the right edge, 0.5 + 1 + 2m rounds up
    expect(isFill(pixels, 6, 0, w)).toBe(false);
    expect(isFill(pixels, 7, 6, w)).toBe(false);
  });

  it('refuses a buffer that is not width x height RGBA', () => {
    expect(() => paintOverBoxes(new Uint8ClampedArray(10), 2, 2, [], 1)).toThrow(RangeError);
  });
});
