import { createHash } from 'node:crypto';
import { fail, ok, type Failure, type Result } from '@codesight/schema';

/** A decoded inline image: its bytes, sniffed MIME type, hash and (when cheaply known) size in pixels. */
export interface DecodedImage {
  bytes: Uint8Array;
  mime: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif';
  sha256: string;
  width: number | undefined;
  height: number | undefined;
}

// `data:image/png;base64,....` (parameters such as `;charset=...` tolerated before `;base64`).
const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+)?((?:;[a-z0-9-]+=[^;,]*)*);base64,/i;
// Standard and URL-safe base64 alphabets, with optional padding; whitespace is stripped first.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Identifies the image format from its first bytes; the declared type of a data URL is not trusted. */
function sniffImage(b: Uint8Array): DecodedImage['mime'] | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (
    b.length >= 12 &&
    b[0] === 0x52 &&
    b[1] === 0x49 &&
    b[2] === 0x46 &&
    b[3] === 0x46 &&
    b[8] === 0x57 &&
    b[9] === 0x45 &&
    b[10] === 0x42 &&
    b[11] === 0x50
  ) {
    return 'image/webp';
  }
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'image/gif';
  return undefined;
}

/** Width and height from a PNG's IHDR chunk (always the first chunk, at a fixed offset). */
function pngSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length < 24) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * Decodes the image of a legacy `screenshot_data` message: a data URL or bare base64 (standard or
 * URL-safe). Refuses anything that is not base64 or not a PNG, JPEG, WebP or GIF.
 */
export function decodeImagePayload(payload: string): Result<DecodedImage, Failure<'validation_failed'>> {
  const match = DATA_URL.exec(payload);
  if (payload.startsWith('data:') && !match) return fail('validation_failed', 'image: data URL must be base64 encoded');
  const base64 = (match ? payload.slice(match[0].length) : payload).replace(/\s+/g, '');
  if (base64.length === 0) return fail('validation_failed', 'image: empty');
  if (!BASE64.test(base64)) return fail('validation_failed', 'image: not a data URL or base64 text');
  const bytes = new Uint8Array(
    Buffer.from(base64, base64.includes('-') || base64.includes('_') ? 'base64url' : 'base64'),
  );
  const mime = sniffImage(bytes);
  if (!mime) return fail('validation_failed', 'image: not a PNG, JPEG, WebP or GIF image');
  const size = mime === 'image/png' ? pngSize(bytes) : undefined;
  return ok({
    bytes,
    mime,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    width: size?.width,
    height: size?.height,
  });
}
