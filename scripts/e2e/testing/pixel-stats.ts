import type { RgbaImage } from './decode-image';

/** A box in CSS pixels, as getBoundingClientRect gives it. */
export interface CssBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A box in whole image pixels: columns left..right-1, rows top..bottom-1. */
export interface PixelBox {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Mean and standard deviation of each colour channel (R, G, B) over a region. */
export interface RegionStats {
  pixels: number;
  mean: [number, number, number];
  stddev: [number, number, number];
  /** The largest of the three standard deviations: 0 for a region of one colour. */
  maxStddev: number;
}

/**
 * Where a CSS box lands in an image drawn at `scale` image pixels per CSS pixel, shrunk by `insetPx`
 * image pixels on every side (so that encoder bleed across the box's edges is not measured). Edges are
 * rounded inwards and clipped to the image; undefined when nothing is left.
 */
export function innerPixelBox(box: CssBox, scale: number, insetPx: number, image: RgbaImage): PixelBox | undefined {
  const left = Math.max(0, Math.ceil(box.x * scale) + insetPx);
  const top = Math.max(0, Math.ceil(box.y * scale) + insetPx);
  const right = Math.min(image.width, Math.floor((box.x + box.width) * scale) - insetPx);
  const bottom = Math.min(image.height, Math.floor((box.y + box.height) * scale) - insetPx);
  return right > left && bottom > top ? { left, top, right, bottom } : undefined;
}

/** Like {@link innerPixelBox} but grown by `outsetPx` and rounded outwards: everything the box may touch. */
export function outerPixelBox(box: CssBox, scale: number, outsetPx: number, image: RgbaImage): PixelBox | undefined {
  const left = Math.max(0, Math.floor(box.x * scale) - outsetPx);
  const top = Math.max(0, Math.floor(box.y * scale) - outsetPx);
  const right = Math.min(image.width, Math.ceil((box.x + box.width) * scale) + outsetPx);
  const bottom = Math.min(image.height, Math.ceil((box.y + box.height) * scale) + outsetPx);
  return right > left && bottom > top ? { left, top, right, bottom } : undefined;
}

/** The whole image as a box. */
export function wholeImage(image: RgbaImage): PixelBox {
  return { left: 0, top: 0, right: image.width, bottom: image.height };
}

/** Per-channel mean and standard deviation of the pixels of `box` (alpha ignored). */
export function regionStats(image: RgbaImage, box: PixelBox): RegionStats {
  const sum = [0, 0, 0];
  const squares = [0, 0, 0];
  let pixels = 0;
  for (let y = box.top; y < box.bottom; y++) {
    for (let x = box.left; x < box.right; x++) {
      const at = (y * image.width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const v = image.data[at + c]!;
        sum[c]! += v;
        squares[c]! += v * v;
      }
      pixels++;
    }
  }
  const mean = sum.map((s) => s / Math.max(1, pixels)) as [number, number, number];
  const stddev = squares.map((q, c) => Math.sqrt(Math.max(0, q / Math.max(1, pixels) - mean[c]! ** 2))) as [
    number,
    number,
    number,
  ];
  return { pixels, mean, stddev, maxStddev: Math.max(...stddev) };
}

/**
 * Mean absolute difference per channel between two images of the same size, over the pixels outside
 * every box of `exclude`.
 */
export function meanAbsDiff(a: RgbaImage, b: RgbaImage, exclude: readonly PixelBox[] = []): number {
  if (a.width !== b.width || a.height !== b.height)
    throw new Error(`sizes differ: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  let total = 0;
  let count = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (exclude.some((e) => x >= e.left && x < e.right && y >= e.top && y < e.bottom)) continue;
      const at = (y * a.width + x) * 4;
      for (let c = 0; c < 3; c++) total += Math.abs(a.data[at + c]! - b.data[at + c]!);
      count += 3;
    }
  }
  return total / Math.max(1, count);
}
