import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeImagePayload } from './image-payload';
import { TINY_PNG_BASE64, TINY_PNG_DATA_URL } from '../testing/test-images';

const pngBytes = Buffer.from(TINY_PNG_BASE64, 'base64');

describe('decodeImagePayload', () => {
  it('decodes a PNG data URL, hashes it and reads its size', () => {
    const r = decodeImagePayload(TINY_PNG_DATA_URL);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.mime).toBe('image/png');
    expect(Buffer.from(r.value.bytes).equals(pngBytes)).toBe(true);
    expect(r.value.sha256).toBe(createHash('sha256').update(pngBytes).digest('hex'));
    expect([r.value.width, r.value.height]).toEqual([2, 2]);
  });

  it('accepts bare base64 (with line breaks) and trusts the bytes over the declared type', () => {
    const wrapped = TINY_PNG_BASE64.replace(/(.{20})/g, '$1\n');
    expect(decodeImagePayload(wrapped).ok && true).toBe(true);
    const lying = decodeImagePayload(`data:image/jpeg;base64,${TINY_PNG_BASE64}`);
    expect(lying.ok && lying.value.mime).toBe('image/png');
    const jpeg = decodeImagePayload(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]).toString('base64'));
    expect(jpeg.ok && jpeg.value.mime).toBe('image/jpeg');
  });

  it.each([
    ['', /empty/],
    ['data:image/png,rawbytes', /base64 encoded/],
    ['not base64 at all!', /not a data URL or base64/],
    [Buffer.from('GIF is not this: hello').toString('base64').replace(/^R0lG/, 'aGVs'), /not a PNG, JPEG/],
    [`data:text/html;base64,${Buffer.from('<script>alert(1)</script>').toString('base64')}`, /not a PNG, JPEG/],
  ])('refuses %j', (payload, message) => {
    const r = decodeImagePayload(payload);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error).toEqual({ code: 'validation_failed', message: expect.stringMatching(message) as unknown });
  });
});
