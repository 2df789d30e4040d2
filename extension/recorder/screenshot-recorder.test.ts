import { describe, expect, it } from 'vitest';
import {
  fail,
  ok,
  type Rect,
  type Result,
  type Screenshot,
  type ScreenshotStatus,
  type SensitiveBoxesReply,
} from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import { createScreenshotRecorder, type ScreenshotDeps } from './screenshot-recorder';
import type { NewMedia } from './store-media';

const T0 = 5_000_000;
const OPTIONS = { format: 'webp', quality: 0.8, maxWidth: 1280 } as const;
const FIELD: Rect = { x: 10, y: 20, width: 200, height: 30 };
const MOVED: Rect = { x: 10, y: 60, width: 200, height: 30 };

function setup(overrides: Partial<ScreenshotDeps> = {}) {
  const clock = new FakeClock(T0);
  const stored: NewMedia<Screenshot>[] = [];
  const captures: number[] = [];
  const encoded: Rect[][] = [];
  const statuses: NonNullable<ScreenshotStatus>[] = [];
  let askedBoxes = 0;
  let ids = 0;
  const reply = (boxes: Rect[]): SensitiveBoxesReply => ({
    boxes,
    viewport: { width: 1000, height: 700 },
    devicePixelRatio: 2,
    visible: true,
  });
  const deps: ScreenshotDeps = {
    clock,
    newId: () => `id${++ids}`,
    tabInfo: () => Promise.resolve({ windowId: 7, active: true }),
    // The page moves its field between the two questions: both places must be painted over.
    boxes: () => Promise.resolve(ok(reply(askedBoxes++ % 2 === 0 ? [FIELD] : [MOVED]))),
    capture: () => {
      captures.push(clock.now() - T0);
      return Promise.resolve(new Blob([new Uint8Array(10)]));
    },
    encode: (_image, boxes) => {
      encoded.push([...boxes]);
      return Promise.resolve({ bytes: new Uint8Array(1_000), mime: 'image/webp', width: 1280, height: 896 });
    },
    store: (row) => {
      stored.push(row);
      return Promise.resolve(ok({ ...row, mime: 'image/webp', bytes: 1_000, sha256: 'a'.repeat(64) }));
    },
    publish: (status) => statuses.push(status),
    ...overrides,
  };
  const recorder = createScreenshotRecorder(deps);
  return { clock, recorder, stored, captures, encoded, statuses };
}

describe('screenshot recorder', () => {
  it('stores a click burst with its burst fields, trigger sequence, viewport and compression ratio', async () => {
    const t = setup();
    t.recorder.begin('s1', OPTIONS);
    t.recorder.burst('click', 3, 42);
    await t.clock.advance(2_000);
    expect(t.stored).toHaveLength(3);
    expect(t.stored.map((s) => [s.burstIndex, s.burstTotal, s.trigger, s.triggerSequence])).toEqual([
      [0, 3, 'click', 42],
      [1, 3, 'click', 42],
      [2, 3, 'click', 42],
    ]);
    expect(new Set(t.stored.map((s) => s.burstId)).size).toBe(1);
    expect(t.stored[0]).toMatchObject({
      sessionId: 's1',
      timestamp: T0,
      width: 1280,
      height: 896,
      viewportWidth: 1000,
      viewportHeight: 700,
      devicePixelRatio: 2,
      compressionRatio: round2((1280 * 896 * 4) / 1_000),
    });
    expect(t.statuses.at(-1)).toMatchObject({ sessionId: 's1', taken: 3 });
  });

  it('paints over the boxes asked before and after the capture', async () => {
    const t = setup();
    t.recorder.begin('s1', OPTIONS);
    t.recorder.burst('manual', 3);
    await t.clock.advance(0);
    expect(t.encoded[0]).toEqual([FIELD, MOVED]);
  });

  it('never captures twice within 500 ms, however many bursts are asked for', async () => {
    const t = setup();
    t.recorder.begin('s1', OPTIONS);
    for (let i = 0; i < 5; i++) {
      t.recorder.burst('click', 3, i + 1);
      await t.clock.advance(100);
    }
    await t.clock.advance(10_000);
    const gaps = t.captures.slice(1).map((at, i) => at - t.captures[i]!);
    expect(t.captures.length).toBeGreaterThan(3);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
    const status = t.statuses.at(-1)!;
    // Every planned frame is accounted for: taken, or dropped with a reason.
    expect(status.taken + Object.values(status.dropped).reduce((a, b) => a + b, 0)).toBe(15);
    expect(status.dropped.late + status.dropped.queue_full).toBeGreaterThan(0);
  });

  it('spaces the captures themselves, however long the boxes take to come', async () => {
    let asked = 0;
    const t = setup({
      // Every other question takes 400 ms (a child frame waiting out its timeout): the queue's slots alone
      // would let two captures come 200 ms apart.
      boxes: () =>
        new Promise((resolve) => {
          const reply = ok({ boxes: [], viewport: { width: 1000, height: 700 }, devicePixelRatio: 1, visible: true });
          if (asked++ % 4 === 0) t.clock.setTimeout(() => resolve(reply), 400);
          else resolve(reply);
        }),
    });
    t.recorder.begin('s1', OPTIONS);
    for (let i = 0; i < 3; i++) t.recorder.burst('click', 3, i + 1);
    await t.clock.advance(10_000);
    const gaps = t.captures.slice(1).map((at, i) => at - t.captures[i]!);
    expect(t.captures.length).toBeGreaterThan(3);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(600);
  });

  it('skips a tab that is not the active one, without capturing', async () => {
    const t = setup({ tabInfo: () => Promise.resolve({ windowId: 7, active: false }) });
    t.recorder.begin('s1', OPTIONS);
    t.recorder.burst('click', 3, 1);
    await t.clock.advance(2_000);
    expect(t.captures).toEqual([]);
    expect(t.stored).toEqual([]);
    expect(t.statuses.at(-1)!.dropped.tab_hidden).toBe(3);
  });

  it('skips a page that says it is hidden (minimised window)', async () => {
    const t = setup({
      boxes: () =>
        Promise.resolve(ok({ boxes: [], viewport: { width: 1, height: 1 }, devicePixelRatio: 1, visible: false })),
    });
    t.recorder.begin('s1', OPTIONS);
    t.recorder.burst('click', 3, 1);
    await t.clock.advance(2_000);
    expect(t.captures).toEqual([]);
    expect(t.statuses.at(-1)!.dropped.tab_hidden).toBe(3);
  });

  it('drops the frame, unstored, when the boxes cannot be had before or after the capture', async () => {
    let asked = 0;
    const t = setup({
      boxes: (): Promise<Result<SensitiveBoxesReply>> =>
        Promise.resolve(
          asked++ === 0
            ? fail('timeout', 'the page did not answer in time')
            : asked === 3
              ? fail('timeout', 'the page did not answer in time')
              : ok({ boxes: [FIELD], viewport: { width: 1000, height: 700 }, devicePixelRatio: 1, visible: true }),
        ),
    });
    t.recorder.begin('s1', OPTIONS);
    t.recorder.burst('click', 3, 1);
    await t.clock.advance(2_000);
    // Frame 0: no boxes before (no capture); frame 1: boxes before, none after (captured, not stored).
    expect(t.captures).toHaveLength(2);
    expect(t.stored.map((s) => s.burstIndex)).toEqual([2]);
    expect(t.statuses.at(-1)!.dropped.redaction_unavailable).toBe(2);
  });

  it('counts a failed capture, encode or write as capture_failed and says why the disk refused', async () => {
    const t = setup({
      store: () => Promise.resolve(fail('storage_failed', 'the disk is full: QuotaExceededError')),
    });
    t.recorder.begin('s1', OPTIONS);
    t.recorder.burst('navigation', 3, 1);
    await t.clock.advance(2_000);
    expect(t.statuses.at(-1)).toMatchObject({
      taken: 0,
      dropped: { capture_failed: 3 },
      message: 'a screenshot was dropped: not stored: the disk is full: QuotaExceededError',
    });
  });

  it('takes nothing after the session ends, and nothing without a session', async () => {
    const t = setup();
    t.recorder.burst('click', 3, 1);
    t.recorder.begin('s1', OPTIONS);
    t.recorder.burst('click', 3, 2);
    await t.clock.advance(0);
    await t.recorder.end();
    await t.clock.advance(5_000);
    expect(t.stored.map((s) => s.triggerSequence)).toEqual([2]);
    expect(t.recorder.sessionId).toBeUndefined();
  });
});

function round2(n: number) {
  return Math.round(n * 100) / 100;
}
