import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { err, ok, systemClock, type CaptureEnvelope, type CaptureEventsReply } from '@codesight/schema';
import { sampleCapturedEvents } from '@codesight/schema/testing';
import { BATCH_WINDOW_MS, createOutbox, type OutboxDeps } from './outbox';

const envelope = (i: number): CaptureEnvelope => ({
  clientId: `client-${i}-abcdef`,
  sessionId: 's1',
  event: sampleCapturedEvents()[0]!,
});
const okReply = (envs: CaptureEnvelope[]): CaptureEventsReply =>
  ok({ stored: envs.map((e) => e.clientId), refused: [] });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function deps(send: OutboxDeps['send']): OutboxDeps & { parked: CaptureEnvelope[][]; errors: string[] } {
  const parked: CaptureEnvelope[][] = [];
  const errors: string[] = [];
  return {
    send,
    park: (e) => {
      parked.push(e);
      return Promise.resolve();
    },
    clock: systemClock,
    onError: (m) => void errors.push(m),
    parked,
    errors,
  };
}

describe('outbox', () => {
  it('sends events pushed in one task together and forgets them once stored', async () => {
    const send = vi.fn((e: CaptureEnvelope[]) => Promise.resolve(okReply(e)));
    const box = createOutbox(deps(send));
    box.push(envelope(1));
    box.push(envelope(2));
    expect(box.pending()).toBe(2);
    await vi.runAllTimersAsync();
    expect(send).toHaveBeenCalledTimes(1);
    expect(send.mock.calls[0]![0]).toHaveLength(2);
    expect(box.pending()).toBe(0);
  });

  it('sends a lone event at once and gathers the events of the next window into one message', async () => {
    const send = vi.fn((e: CaptureEnvelope[]) => Promise.resolve(okReply(e)));
    const box = createOutbox(deps(send));
    box.push(envelope(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(300);
    box.push(envelope(2));
    await vi.advanceTimersByTimeAsync(300);
    box.push(envelope(3));
    await vi.advanceTimersByTimeAsync(300);
    expect(send).toHaveBeenCalledTimes(1);
    expect(box.pending()).toBe(2);
    await vi.advanceTimersByTimeAsync(BATCH_WINDOW_MS - 900);
    expect(send).toHaveBeenCalledTimes(2);
    expect(send.mock.calls[1]![0].map((e) => e.clientId)).toEqual(['client-2-abcdef', 'client-3-abcdef']);
    expect(box.pending()).toBe(0);
    // A quiet window later, the next event leaves at once again.
    await vi.advanceTimersByTimeAsync(BATCH_WINDOW_MS);
    box.push(envelope(4));
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledTimes(3);
  });

  it('parks what waits for the window when the page goes away', async () => {
    const d = deps((e) => Promise.resolve(okReply(e)));
    const box = createOutbox(d);
    box.push(envelope(1));
    await vi.advanceTimersByTimeAsync(0);
    box.push(envelope(2));
    await box.park();
    expect(d.parked.flat().map((e) => e.clientId)).toEqual(['client-2-abcdef']);
  });

  it('keeps events while the background is unreachable and retries until confirmed', async () => {
    let up = false;
    const send = vi.fn((e: CaptureEnvelope[]) =>
      up
        ? Promise.resolve(okReply(e))
        : Promise.reject(new Error('Could not establish connection. Receiving end does not exist.')),
    );
    const d = deps(send);
    const box = createOutbox(d);
    box.push(envelope(1));
    await vi.advanceTimersByTimeAsync(1000);
    expect(box.pending()).toBe(1);
    expect(send.mock.calls.length).toBeGreaterThan(2);
    up = true;
    await vi.advanceTimersByTimeAsync(6000);
    expect(box.pending()).toBe(0);
    expect(d.errors[0]).toMatch(/Receiving end/);
    // The first delivery is new for sure; every later one says it may be stored already.
    expect(send.mock.calls[0]![0][0]!.repeat).toBeUndefined();
    expect(send.mock.calls.slice(1).every(([batch]) => batch[0]!.repeat === true)).toBe(true);
  });

  it('keeps everything when the background reports a storage failure', async () => {
    let full = true;
    const box = createOutbox(
      deps((e) =>
        Promise.resolve(
          full ? err({ code: 'storage_failed' as const, message: 'QuotaExceededError', refused: [] }) : okReply(e),
        ),
      ),
    );
    box.push(envelope(1));
    await vi.advanceTimersByTimeAsync(50);
    expect(box.pending()).toBe(1);
    full = false;
    await vi.advanceTimersByTimeAsync(6000);
    expect(box.pending()).toBe(0);
  });

  it('drops refused events (with an error) instead of resending them forever', async () => {
    const d = deps((e) =>
      Promise.resolve(ok({ stored: [], refused: e.map((x) => ({ clientId: x.clientId, reason: 'no session s1' })) })),
    );
    const box = createOutbox(d);
    box.push(envelope(1));
    await vi.runAllTimersAsync();
    expect(box.pending()).toBe(0);
    expect(d.errors).toEqual(['event dropped by the recorder: no session s1']);
  });

  it('drops refused events even when the write failed, and keeps the rest for a retry', async () => {
    const d = deps((e) =>
      Promise.resolve(
        err({
          code: 'storage_failed' as const,
          message: 'QuotaExceededError',
          refused: [{ clientId: e[0]!.clientId, reason: 'invalid event: type' }],
        }),
      ),
    );
    const box = createOutbox(d);
    box.push(envelope(1));
    box.push(envelope(2));
    await vi.advanceTimersByTimeAsync(50);
    expect(box.pending()).toBe(1);
    expect(d.errors.slice(0, 2)).toEqual(['event dropped by the recorder: invalid event: type', 'QuotaExceededError']);
  });

  it('parks unconfirmed events when the page goes away', async () => {
    const d = deps(() => new Promise(() => {}));
    const box = createOutbox(d);
    box.push(envelope(1));
    box.push(envelope(2));
    await box.park();
    expect(d.parked.flat().map((e) => e.clientId)).toEqual(['client-1-abcdef', 'client-2-abcdef']);
  });

  it('splits large backlogs into bounded messages', async () => {
    const send = vi.fn((e: CaptureEnvelope[]) => Promise.resolve(okReply(e)));
    const box = createOutbox(deps(send));
    for (let i = 0; i < 450; i++) box.push(envelope(i));
    await vi.runAllTimersAsync();
    expect(send.mock.calls.map((c) => c[0].length)).toEqual([200, 200, 50]);
    expect(box.pending()).toBe(0);
  });
});
