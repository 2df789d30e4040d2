import type { Rect } from '@codesight/schema';

/**
 * Extra CSS pixels painted around every box: a focus ring, a caret or text that overflows its field
 * by a pixel must not leak a character.
 */
export const REDACTION_MARGIN_PX = 2;
/** The paint: opaque mid-grey, so a painted box is uniform (pixel variance 0) before encoding. */
export const REDACTION_FILL_STYLE = 'rgb(128 128 128)';

/** A box in whole frame pixels, clipped to the frame: columns left..right-1, rows top..bottom-1. */
export interface PixelBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Where a box (CSS pixels of the captured viewport) lands in a frame `width` × `height` pixels drawn at
 * `scale` frame pixels per CSS pixel (device pixel ratio times any downscale), margin included. Edges
 * are rounded outwards, so a partly covered pixel is covered. Undefined when nothing of it is in the
 * frame.
 */
export function boxToPixels(box: Rect, scale: number, width: number, height: number): PixelBox | undefined {
  const left = Math.max(0, Math.floor((box.x - REDACTION_MARGIN_PX) * scale));
  const top = Math.max(0, Math.floor((box.y - REDACTION_MARGIN_PX) * scale));
  const right = Math.min(width, Math.ceil((box.x + box.width + REDACTION_MARGIN_PX) * scale));
  const bottom = Math.min(height, Math.ceil((box.y + box.height + REDACTION_MARGIN_PX) * scale));
  return right > left && bottom > top ? { left, top, right, bottom } : undefined;
}
