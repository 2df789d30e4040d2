import { describe, expect, it } from 'vitest';
import type { Screenshot } from '@codesight/schema';
import { chunkPath, extensionForMime, isCompressedMime, screenshotPath, trackFilePath } from './media-paths';

const T = 1_752_327_001_000;
const meta = (burstId: string, burstIndex: number, id: string, mime = 'image/png', timestamp = T) =>
  ({ burstId, burstIndex, id, mime, timestamp }) as Screenshot;

describe('media paths', () => {
  it('maps MIME types (with parameters, any case) to extensions and compression', () => {
    expect(extensionForMime('audio/webm;codecs=opus')).toBe('webm');
    expect(extensionForMime('video/webm;codecs=vp9')).toBe('webm');
    expect(extensionForMime('IMAGE/JPEG')).toBe('jpg');
    expect(extensionForMime('application/x-unknown')).toBe('bin');
    expect(isCompressedMime('image/png')).toBe(true);
    expect(isCompressedMime('video/webm;codecs=vp9')).toBe(true);
    expect(isCompressedMime('audio/wav')).toBe(false);
  });

  it('names screenshots by time so that names sort in the order the frames were taken', () => {
    const taken = new Set<string>();
    const frames = [
      meta('zz', 1, 's3', 'image/webp', T + 150),
      meta('aa', 0, 's1', 'image/jpeg', T - 999),
      meta('zz', 0, 's2', 'image/png', T),
      meta('b', 0, 's4', 'image/png', T + 20_000),
    ];
    const paths = frames.map((f) => screenshotPath(f, taken));
    expect(paths).toEqual([
      `screenshots/${T + 150}-zz-1.webp`,
      `screenshots/${T - 999}-aa-0.jpg`,
      `screenshots/${T}-zz-0.png`,
      `screenshots/${T + 20_000}-b-0.png`,
    ]);
    const byTime = [...frames].sort((a, b) => a.timestamp - b.timestamp).map((f) => paths[frames.indexOf(f)]);
    expect([...paths].sort()).toEqual(byTime);
    // Epoch ms are padded: a (hypothetical) shorter number still sorts first.
    expect(screenshotPath(meta('b', 0, 's', 'image/png', 5), taken)).toBe('screenshots/0000000000005-b-0.png');
  });

  it('makes burst ids path-safe and names unique', () => {
    const taken = new Set<string>();
    expect(screenshotPath(meta('../b 1', 0, 's1'), taken)).toBe(`screenshots/${T}-___b_1-0.png`);
    expect(screenshotPath(meta('../b 1', 0, 's/2'), taken)).toBe(`screenshots/${T}-___b_1-0-s_2.png`);
    expect(screenshotPath(meta('../b 1', 0, 's/2'), taken)).toBe(`screenshots/${T}-___b_1-0-s_2-2.png`);
  });

  it('names chunk files by index and playable files by track and run', () => {
    expect(chunkPath('audio', { chunkIndex: 42, mime: 'audio/webm;codecs=opus' })).toBe('audio/chunk-000042.webm');
    expect(chunkPath('video', { chunkIndex: 1_234_567, mime: 'video/mp4' })).toBe('video/chunk-1234567.mp4');
    expect(trackFilePath('audio', 1, 'audio/webm')).toBe('audio/narration.webm');
    expect(trackFilePath('audio', 2, 'audio/webm')).toBe('audio/narration-2.webm');
    expect(trackFilePath('video', 1, 'video/webm;codecs=vp9')).toBe('video/tab.webm');
  });
});
