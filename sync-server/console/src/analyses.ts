import type { ScreenshotAnalysis } from './api-types';

/** The analyses grouped by screenshot id (a screenshot has one per model that looked at it). */
export function analysesByScreenshot(analyses: readonly ScreenshotAnalysis[]): Map<string, ScreenshotAnalysis[]> {
  const byShot = new Map<string, ScreenshotAnalysis[]>();
  for (const analysis of analyses) {
    const list = byShot.get(analysis.screenshotId);
    if (list) list.push(analysis);
    else byShot.set(analysis.screenshotId, [analysis]);
  }
  return byShot;
}
