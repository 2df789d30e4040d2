import { describe, expect, it } from 'vitest';
import { decodeDataUrl } from './data-url';

describe('decodeDataUrl', () => {
  it('returns the exact bytes and the type of a base64 data URL', () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 128, 7]);
    const url = `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
    expect(decodeDataUrl(url)).toEqual({ mime: 'image/png', bytes });
  });

  it('keeps the type when the URL has parameters before base64', () => {
    expect(decodeDataUrl('data:image/jpeg;name=x;base64,AAE=')).toEqual({
      mime: 'image/jpeg',
      bytes: new Uint8Array([0, 1]),
    });
  });

  it('refuses anything that is not a base64 data URL', () => {
    expect(() => decodeDataUrl('https://example.com/a.png')).toThrow(/not a base64 data: URL/);
    expect(() => decodeDataUrl('data:text/plain,hello')).toThrow(/not a base64 data: URL/);
  });
});
