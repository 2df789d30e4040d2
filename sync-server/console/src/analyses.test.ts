import { describe, expect, it } from 'vitest';
import { analysesByScreenshot } from './analyses';
import type { ScreenshotAnalysis } from './api-types';

const analysis = (screenshotId: string, model: string): ScreenshotAnalysis => ({
  screenshotId,
  model,
  servedModel: null,
  text: `${screenshotId} by ${model}`,
  truncated: false,
  usage: null,
  createdAt: '2026-12-03T00:00:00.000Z',
});

describe('analysesByScreenshot', () => {
  it("groups each screenshot's answers, one per model, in the order listed", () => {
    const byShot = analysesByScreenshot([analysis('a', 'm1'), analysis('b', 'm1'), analysis('a', 'm2')]);
    expect([...byShot.keys()]).toEqual(['a', 'b']);
    expect(byShot.get('a')!.map((x) => x.model)).toEqual(['m1', 'm2']);
    expect(byShot.get('c')).toBeUndefined();
  });
});
