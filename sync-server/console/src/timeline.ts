import type { Action, Screenshot } from './api-types';

/** Screenshots taken this close to an action (and not triggered by another one) illustrate it. */
const NEAR_MS = 5000;

/** Seconds from the narration's start to each action's start (negative before the narration began). */
export function actionOffsets(actions: readonly Action[], narrationStart: number): number[] {
  return actions.map((a) => (a.startTime - narrationStart) / 1000);
}

/**
 * The action being narrated at `seconds` into the audio: the last one that started at or before it;
 * -1 before the first. `offsets` ascend (actions are in recording order).
 */
export function currentActionIndex(offsets: readonly number[], seconds: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((offsets[mid] ?? Infinity) <= seconds) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Where to seek the narration to play an action: its offset, never before the start. */
export function seekTime(offset: number): number {
  return Math.max(0, offset);
}

/**
 * The screenshot that shows an action: one its events triggered, else the nearest in time within
 * {@link NEAR_MS} that no other action triggered; undefined when none.
 */
export function screenshotFor(action: Action, screenshots: readonly Screenshot[]): Screenshot | undefined {
  const sequences = new Set(action.sequences);
  const triggered = screenshots.find((s) => s.triggerSequence !== null && sequences.has(s.triggerSequence));
  if (triggered) return triggered;
  let best: Screenshot | undefined;
  let bestDistance = NEAR_MS;
  for (const s of screenshots) {
    if (s.triggerSequence !== null) continue;
    const distance =
      s.timestamp < action.startTime
        ? action.startTime - s.timestamp
        : s.timestamp > action.endTime
          ? s.timestamp - action.endTime
          : 0;
    if (distance <= bestDistance) {
      best = s;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Where a click lands on its screenshot, in percent of the image (the frame is the viewport): the
 * action's viewport coordinates over the screenshot's viewport (else the action's). Null when the
 * action has no point or no viewport is known, or the point is outside the frame.
 */
export function clickPoint(action: Action, screenshot: Screenshot): { left: number; top: number } | null {
  if (action.operation !== 'click' || !action.coordinates) return null;
  const width = screenshot.viewportWidth ?? action.viewport?.width;
  const height = screenshot.viewportHeight ?? action.viewport?.height;
  if (!width || !height) return null;
  const left = (action.coordinates.x / width) * 100;
  const top = (action.coordinates.y / height) * 100;
  if (left < 0 || left > 100 || top < 0 || top > 100) return null;
  return { left, top };
}

/** `m:ss` of a narration offset; `–` before the narration started. */
export function clockText(seconds: number): string {
  if (seconds < 0) return '–';
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
