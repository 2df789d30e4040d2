import type { Rect } from '@codesight/schema';

/**
 * Extra CSS pixels painted around every box: a focus ring, a caret or text that overflows its field
 * by a pixel must not leak a character.
 */
export const REDACTION_MARGIN_PX = 2;
/** The paint: opaque mid-grey, so a painted box is uniform (pixel variance 0) in any encoding. */
const FILL = [128, 128, 128, 255] as const;

/**
 * Paints every box over an RGBA frame in place. `boxes` are in CSS pixels of the captured viewport;
 * `scale` turns them into frame pixels (device pixel ratio, times any downscale of the frame). Box
 * edges are rounded outwards, so a partly covered pixel is covered.
 */
export function paintOverBoxes(
  pixels: Uint8ClampedArray,
  width: number,
  height: number,
  boxes: readonly Rect[],
  scale: number,
): void {
  if (pixels.length !== width * height * 4) throw new RangeError(`expected ${width * height * 4} bytes of RGBA`);
  for (const box of boxes) {
    const left = Math.max(0, Math.floor((box.x - REDACTION_MARGIN_PX) * scale));
    const top = Math.max(0, Math.floor((box.y - REDACTION_MARGIN_PX) * scale));
    const right = Math.min(width, Math.ceil((box.x + box.width + REDACTION_MARGIN_PX) * scale));
    const bottom = Math.min(height, Math.ceil((box.y + box.height + REDACTION_MARGIN_PX) * scale));
    for (let y = top; y < bottom; y++) {
      for (let x = left; x < right; x++) pixels.set(FILL, (y * width + x) * 4);
    }
  }
}
