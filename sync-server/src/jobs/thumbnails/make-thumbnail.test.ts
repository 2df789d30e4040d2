import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  declaredFrameProblem,
  makeThumbnail,
  MAX_SOURCE_BYTES,
  MAX_SOURCE_PIXELS,
  THUMBNAIL_MAX_HEIGHT,
  sniffScreenshotFormat,
  THUMBNAIL_WIDTH,
} from './make-thumbnail';

/** A PNG of `width` x `height` with a few coloured bands (so it is not one flat colour). */
async function bandedPng(width: number, height: number): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 7) & 0xff;
      pixels[i + 1] = y < height / 2 ? 40 : 220;
      pixels[i + 2] = (x ^ y) & 0xff;
    }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** `png` with its IHDR claiming another size (CRC fixed): what a decompression bomb's header says. */
function claimingSize(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return new Uint8Array(out);
}

describe('makeThumbnail', () => {
  it('makes a 320-wide WebP of a frame, aspect kept, much smaller than the PNG', async () => {
    const png = await bandedPng(1280, 800);
    const made = await makeThumbnail(png);
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    expect(made.value).toMatchObject({ mime: 'image/webp', width: THUMBNAIL_WIDTH, height: 200 });
    const decoded = await sharp(made.value.bytes).metadata();
    expect(decoded).toMatchObject({ format: 'webp', width: 320, height: 200 });
    expect(made.value.bytes.byteLength * 5).toBeLessThan(png.byteLength);
  });

  it('never enlarges a small frame, and fits a very tall one into 320x960', async () => {
    const small = await makeThumbnail(await bandedPng(200, 100));
    expect(small.ok && small.value).toMatchObject({ width: 200, height: 100 });
    const tall = await makeThumbnail(await bandedPng(400, 4000));
    expect(tall.ok && tall.value).toMatchObject({ width: 96, height: THUMBNAIL_MAX_HEIGHT });
  });

  it('refuses a header claiming more pixels than allowed, before decoding', async () => {
    const bomb = claimingSize(await bandedPng(64, 48), 30_000, 30_000);
    expect(await makeThumbnail(bomb)).toMatchObject({ ok: false, error: { code: 'too_large' } });
  });

  it('refuses bytes that are not an image, and image formats that are not screenshots', async () => {
    expect(await makeThumbnail(new TextEncoder().encode('hello'))).toMatchObject({
      ok: false,
      error: { code: 'undecodable' },
    });
    const gif = new Uint8Array(
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
        .gif()
        .toBuffer(),
    );
    expect(await makeThumbnail(gif)).toMatchObject({ ok: false, error: { code: 'undecodable' } });
  });
});

describe('sniffScreenshotFormat', () => {
  it('knows PNG, JPEG and WebP by their signatures, and nothing else', async () => {
    const make = (format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff') =>
      sharp({ create: { width: 4, height: 4, channels: 3, background: '#123456' } })
        .toFormat(format)
        .toBuffer();
    expect(sniffScreenshotFormat(await make('png'))).toBe('png');
    expect(sniffScreenshotFormat(await make('jpeg'))).toBe('jpeg');
    expect(sniffScreenshotFormat(await make('webp'))).toBe('webp');
    expect(sniffScreenshotFormat(await make('gif'))).toBeUndefined();
    expect(sniffScreenshotFormat(await make('tiff'))).toBeUndefined();
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
    expect(sniffScreenshotFormat(svg)).toBeUndefined();
    expect(sniffScreenshotFormat(new Uint8Array(0))).toBeUndefined();
  });

  it('keeps an SVG away from libvips, even one that would render', async () => {
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"/>');
    expect(await makeThumbnail(svg)).toMatchObject({
      ok: false,
      error: { code: 'undecodable', message: 'not a PNG, JPEG or WebP file' },
    });
  });
});

describe('declaredFrameProblem', () => {
  it('refuses by the stored size and dimensions, and trusts nothing it was not told', () => {
    expect(declaredFrameProblem({ bytes: 1000, width: 2560, height: 1600 })).toBeUndefined();
    expect(declaredFrameProblem({ bytes: 1000, width: null, height: null })).toBeUndefined();
    expect(declaredFrameProblem({ bytes: MAX_SOURCE_BYTES + 1, width: 10, height: 10 })?.code).toBe('too_large');
    expect(declaredFrameProblem({ bytes: 1000, width: MAX_SOURCE_PIXELS, height: 2 })?.code).toBe('too_large');
  });
});
