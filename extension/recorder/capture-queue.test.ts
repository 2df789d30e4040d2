import { describe, expect, it } from 'vitest';
import { fail, ok, type Failure, type Result } from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import { createCaptureQueue, type FrameDropReason, type FrameRequest } from './capture-queue';

const T0 = 1_000_000;

function frame(burstIndex: number, notBefore = T0, deadline = T0 + 60_000, burstId = 'b1'): FrameRequest {
  return { burstId, burstIndex, notBefore, deadline };
}

function setup(
  answer: (r: FrameRequest) => Promise<Result<void, Failure<FrameDropReason>>> = () => Promise.resolve(ok()),
) {
  const clock = new FakeClock(T0);
  const starts: { index: number; at: number }[] = [];
  const dropped: { index: number; reason: FrameDropReason }[] = [];
  const queue = createCaptureQueue({
    clock,
    intervalMs: 500,
    take: (r) => {
      starts.push({ index: r.burstIndex, at: clock.now() - T0 });
      return answer(r);
    },
    onDrop: (r, reason) => dropped.push({ index: r.burstIndex, reason }),
  });
  return { clock, queue, starts, dropped };
}

describe('capture queue', () => {
  it('never starts two captures less than 500 ms apart, whatever the bursts ask for', async () => {
    const t = setup();
    for (let i = 0; i < 4; i++) t.queue.push(frame(i));
    await t.clock.advance(2_000);
    expect(t.starts).toEqual([
      { index: 0, at: 0 },
      { index: 1, at: 500 },
      { index: 2, at: 1_000 },
      { index: 3, at: 1_500 },
    ]);
    expect(t.queue.taken).toBe(4);
    expect(t.queue.waiting).toBe(0);
  });

  it('starts one capture at a time: a slow capture pushes the next one back', async () => {
    const t = setup(async () => {
      await new Promise<void>((resolve) => t.clock.setTimeout(resolve, 800));
      return ok();
    });
    t.queue.push(frame(0));
    t.queue.push(frame(1));
    await t.clock.advance(2_000);
    expect(t.starts.map((s) => s.at)).toEqual([0, 800]);
  });

  it('drops a frame whose deadline passes while it waits, without spending a slot on it', async () => {
    const t = setup();
    t.queue.push(frame(0, T0, T0 + 600));
    t.queue.push(frame(1, T0, T0 + 600));
    t.queue.push(frame(2, T0, T0 + 600));
    t.queue.push(frame(3, T0, T0 + 5_000));
    await t.clock.advance(2_000);
    expect(t.starts).toEqual([
      { index: 0, at: 0 },
      { index: 1, at: 500 },
      { index: 3, at: 1_000 },
    ]);
    expect(t.dropped).toEqual([{ index: 2, reason: 'late' }]);
    expect(t.queue.drops.late).toBe(1);
  });

  it('serves frames by notBefore, and an earlier frame pushed later is not kept waiting', async () => {
    const t = setup();
    t.queue.push(frame(0, T0 + 3_000));
    await t.clock.advance(100);
    t.queue.push(frame(1, T0 + 200));
    await t.clock.advance(4_000);
    expect(t.starts).toEqual([
      { index: 1, at: 200 },
      { index: 0, at: 3_000 },
    ]);
  });

  it('gives the oldest waiting frame up when the queue is full, and counts it', () => {
    const clock = new FakeClock(T0);
    const dropped: number[] = [];
    const queue = createCaptureQueue({
      clock,
      maxQueued: 2,
      take: () => Promise.resolve(ok()),
      onDrop: (r, reason) => reason === 'queue_full' && dropped.push(r.burstIndex),
    });
    queue.push(frame(0, T0 + 1_000));
    queue.push(frame(1, T0 + 1_000));
    queue.push(frame(2, T0 + 1_000));
    expect(dropped).toEqual([0]);
    expect(queue.waiting).toBe(2);
    expect(queue.drops.queue_full).toBe(1);
  });

  it('counts refused and failing captures by reason and goes on with the next frame', async () => {
    const t = setup((r) => {
      if (r.burstIndex === 0) return Promise.resolve(fail('tab_hidden', 'the tab is in the background'));
      if (r.burstIndex === 1) return Promise.reject(new Error('Cannot access contents of the page'));
      if (r.burstIndex === 2) return Promise.resolve(fail('redaction_unavailable', 'no boxes in time'));
      return Promise.resolve(ok());
    });
    for (let i = 0; i < 4; i++) t.queue.push(frame(i));
    await t.clock.advance(2_000);
    expect(t.dropped).toEqual([
      { index: 0, reason: 'tab_hidden' },
      { index: 1, reason: 'capture_failed' },
      { index: 2, reason: 'redaction_unavailable' },
    ]);
    expect(t.queue.taken).toBe(1);
    expect(t.queue.drops).toEqual({
      late: 0,
      queue_full: 0,
      tab_hidden: 1,
      redaction_unavailable: 1,
      capture_failed: 1,
    });
  });

  it('is idle once every frame is taken or dropped, and takes nothing after stop', async () => {
    const t = setup();
    t.queue.push(frame(0));
    t.queue.push(frame(1));
    let idle = false;
    void t.queue.idle().then(() => (idle = true));
    await t.clock.advance(100);
    expect(idle).toBe(false);
    await t.clock.advance(500);
    expect(idle).toBe(true);
    t.queue.push(frame(2, T0 + 5_000));
    t.queue.stop();
    t.queue.push(frame(3));
    await t.clock.advance(10_000);
    expect(t.starts.map((s) => s.index)).toEqual([0, 1]);
    await expect(t.queue.idle()).resolves.toBeUndefined();
  });
});
