import { describe, expect, it } from 'vitest';
import type { Action, Screenshot } from './api-types';
import { actionOffsets, clickPoint, clockText, currentActionIndex, screenshotFor, seekTime } from './timeline';

const T0 = 1_760_000_000_000;
const action = (index: number, at: number, extra: Partial<Action> = {}): Action => ({
  index,
  operation: 'click',
  sequences: [index * 2 + 1, index * 2 + 2],
  startTime: T0 + at,
  endTime: T0 + at + 100,
  url: 'https://shop.example/',
  ...extra,
});
const shot = (id: string, at: number, triggerSequence: number | null, extra: Partial<Screenshot> = {}): Screenshot => ({
  id,
  sessionId: 'cs_1',
  burstId: null,
  burstIndex: null,
  burstTotal: null,
  trigger: triggerSequence === null ? null : 'click',
  triggerSequence,
  timestamp: T0 + at,
  mime: 'image/webp',
  width: 800,
  height: 600,
  bytes: 1000,
  sha256: 'x',
  compressionRatio: null,
  viewportWidth: 1600,
  viewportHeight: 1200,
  devicePixelRatio: 2,
  uploaded: true,
  url: `/api/blobs/${id}.webp`,
  ...extra,
});

describe('narration alignment', () => {
  const actions = [action(0, 500), action(1, 3000), action(2, 3000), action(3, 10_000)];
  const offsets = actionOffsets(actions, T0 + 1000);

  it('puts each action at its offset from the narration start', () => {
    expect(offsets).toEqual([-0.5, 2, 2, 9]);
  });

  it('highlights the last action started at the playback time', () => {
    expect(currentActionIndex(offsets, 0)).toBe(0);
    expect(currentActionIndex(offsets, 1.99)).toBe(0);
    expect(currentActionIndex(offsets, 2)).toBe(2);
    expect(currentActionIndex(offsets, 100)).toBe(3);
    expect(currentActionIndex(offsets, -1)).toBe(-1);
    expect(currentActionIndex([], 5)).toBe(-1);
  });

  it('seeks to the action, never before the start', () => {
    expect(seekTime(offsets[0]!)).toBe(0);
    expect(seekTime(offsets[3]!)).toBe(9);
    expect(clockText(69.9)).toBe('1:09');
    expect(clockText(-0.5)).toBe('–');
  });
});

describe('screenshots of actions', () => {
  it('prefers the screenshot the action triggered, else an untriggered one close in time', () => {
    const shots = [shot('near', 3200, null), shot('own', 9000, 2), shot('other', 2900, 99)];
    expect(screenshotFor(action(0, 500), shots)?.id).toBe('own');
    expect(screenshotFor(action(1, 3000), shots)?.id).toBe('near');
    expect(screenshotFor(action(3, 60_000), shots)).toBeUndefined();
  });

  it('draws the click point in percent of the frame, from viewport coordinates', () => {
    const s = shot('a', 0, 1);
    expect(clickPoint(action(0, 0, { coordinates: { x: 400, y: 300 } }), s)).toEqual({ left: 25, top: 25 });
    const noViewport = shot('b', 0, 1, { viewportWidth: null, viewportHeight: null });
    const withOwn = action(0, 0, {
      coordinates: { x: 50, y: 50 },
      viewport: { width: 100, height: 200, devicePixelRatio: 1 },
    });
    expect(clickPoint(withOwn, noViewport)).toEqual({ left: 50, top: 25 });
    expect(clickPoint(action(0, 0, { coordinates: { x: 5000, y: 1 } }), s)).toBeNull();
    expect(clickPoint(action(0, 0, { operation: 'type', coordinates: { x: 1, y: 1 } }), s)).toBeNull();
  });
});
