import { describe, expect, it } from 'vitest';
import type { Screenshot } from '@codesight/schema';
import { extensionForMime, isCompressedMime, screenshotPath } from './media-paths';

const meta = (burstId: string, burstIndex: number, id: string, mime = 'image/png') =>
  ({ burstId, burstIndex, id, mime }) as Screenshot;

describe('media paths', () => {
  it('maps MIME types (with parameters, any case) to extensions and compression', () => {
    expect(extensionForMime('audio/webm;codecs=opus')).toBe('webm');
    expect(extensionForMime('IMAGE/JPEG')).toBe('jpg');
    expect(extensionForMime('application/x-unknown')).toBe('bin');
    expect(isCompressedMime('image/png')).toBe(true);
    expect(isCompressedMime('audio/wav')).toBe(false);
  });

  it('makes burst ids path-safe and unique', () => {
    const taken = new Set<string>();
    expect(screenshotPath(meta('../b 1', 0, 's1'), taken)).toBe('media/screenshots/___b_1-0.png');
    expect(screenshotPath(meta('../b 1', 0, 's2'), taken)).toBe('media/screenshots/___b_1-0-s2.png');
    expect(screenshotPath(meta('../b 1', 0, 's2'), taken)).toBe('media/screenshots/___b_1-0-s2-2.png');
    expect(screenshotPath(meta('b', 3, 's3', 'image/webp'), taken)).toBe('media/screenshots/b-3.webp');
  });
});
