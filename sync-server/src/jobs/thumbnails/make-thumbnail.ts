import { fail, ok, type Failure, type Result } from '@codesight/schema';
import sharp, { type Metadata } from 'sharp';

// libvips caches recent operations (50 MB by default) for repeated work on the same images; every frame
// here is read once, so the cache would only hold memory.
sharp.cache(false);

/**
 * Thumbnail width in pixels. The console's timeline shows frames ~240 CSS px wide; 320 stays sharp on
 * a 1.25x screen and keeps a 2560x1600 frame's thumbnail to a few KiB (docs/server.md, "Thumbnails").
 */
export const THUMBNAIL_WIDTH = 320;
/** Tallest thumbnail: a very tall frame is shrunk to fit 320x960 rather than kept at full width. */
export const THUMBNAIL_MAX_HEIGHT = 960;
/**
 * WebP at quality 70: UI frames are flat colour and text, which WebP keeps legible at a fraction of
 * JPEG's size (no 8x8 ringing round glyphs); every browser the console supports decodes it.
 */
export const THUMBNAIL_MIME = 'image/webp';
const WEBP_QUALITY = 70;

/**
 * Most pixels a frame may have to be decoded: an 8K frame (7680x4320 = 33.2 Mpx) with room. Decoding
 * costs ~4 bytes per pixel, so this bounds one decode to ~160 MB, whatever the file's size: a small
 * PNG can claim (and inflate to) billions of pixels.
 */
export const MAX_SOURCE_PIXELS = 40_000_000;
/** Largest stored frame read: well above a 4K PNG (4-12 MB); a frame past this is not a screenshot. */
export const MAX_SOURCE_BYTES = 32 * 1024 * 1024;
/** Formats screenshots are stored in; anything else is not decoded. */
const SOURCE_FORMATS = new Set(['png', 'jpeg', 'webp']);

/** What a source frame claims before it is read: its row's size and dimensions. */
export interface DeclaredFrame {
  bytes: number;
  width: number | null;
  height: number | null;
}

/** A made thumbnail. */
export interface Thumbnail {
  bytes: Uint8Array;
  mime: string;
  width: number;
  height: number;
}

/** Why a frame gets no thumbnail; no retry changes either. */
export type ThumbnailProblem = Failure<'too_large' | 'undecodable'>;

/**
 * Refuses a frame whose stored size or dimensions are past the bounds, before its bytes are read.
 * The dimensions are the client's claim; {@link makeThumbnail} checks the image header too.
 */
export function declaredFrameProblem(frame: DeclaredFrame): ThumbnailProblem | undefined {
  if (frame.bytes > MAX_SOURCE_BYTES)
    return { code: 'too_large', message: `${frame.bytes} bytes, over the ${MAX_SOURCE_BYTES} a frame may have` };
  if (frame.width !== null && frame.height !== null && frame.width * frame.height > MAX_SOURCE_PIXELS)
    return { code: 'too_large', message: `${frame.width}x${frame.height} pixels, over ${MAX_SOURCE_PIXELS}` };
  return undefined;
}

/**
 * A {@link THUMBNAIL_WIDTH}-wide WebP of the frame (never enlarged), its aspect kept. Bytes that do not
 * start like a PNG, JPEG or WebP file are refused unread; then the header is read: a format other than
 * those, or more than {@link MAX_SOURCE_PIXELS} pixels, is refused before any pixel is decoded; libvips'
 * own `limitInputPixels` guards the decode as well.
 */
export async function makeThumbnail(source: Uint8Array): Promise<Result<Thumbnail, ThumbnailProblem>> {
  // By signature before libvips sees a byte: its loaders for SVG, TIFF, HEIF, PDF… are attack surface a
  // worker's upload must never reach.
  if (!sniffScreenshotFormat(source)) return fail('undecodable', 'not a PNG, JPEG or WebP file');
  const options = { limitInputPixels: MAX_SOURCE_PIXELS, failOn: 'error', sequentialRead: true } as const;
  let header: Metadata;
  try {
    // The header only (no pixel is decoded): unbounded here, so a bomb is named as one below.
    header = await sharp(source, { limitInputPixels: false }).metadata();
  } catch (err) {
    return fail('undecodable', `not a readable image: ${messageOf(err)}`);
  }
  if (!header.format || !SOURCE_FORMATS.has(header.format))
    return fail('undecodable', `format ${header.format ?? 'unknown'} is not a screenshot format`);
  if (!header.width || !header.height) return fail('undecodable', 'the image header has no size');
  if (header.width * header.height > MAX_SOURCE_PIXELS)
    return fail('too_large', `${header.width}x${header.height} pixels, over ${MAX_SOURCE_PIXELS}`);
  try {
    const { data, info } = await sharp(source, options)
      .resize({ width: THUMBNAIL_WIDTH, height: THUMBNAIL_MAX_HEIGHT, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: WEBP_QUALITY })
      .toBuffer({ resolveWithObject: true });
    return ok({ bytes: new Uint8Array(data), mime: THUMBNAIL_MIME, width: info.width, height: info.height });
  } catch (err) {
    return fail('undecodable', `the image did not decode: ${messageOf(err)}`);
  }
}

/** The screenshot format the bytes start like (PNG, JPEG, WebP signatures), or undefined. */
export function sniffScreenshotFormat(bytes: Uint8Array): 'png' | 'jpeg' | 'webp' | undefined {
  const starts = (signature: readonly number[], at = 0) => signature.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpeg';
  // RIFF <size> WEBP
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  return undefined;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);
