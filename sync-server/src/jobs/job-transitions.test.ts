import { FakeClock } from '@codesight/schema/testing';
import { describe, expect, it } from 'vitest';
import { afterFailure, afterSuccess, clipError, MAX_ERROR_CHARS } from './job-transitions';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('job transitions', () => {
  it('queues a failed attempt again after the backoff while attempts remain', async () => {
    const clock = new FakeClock();
    const first = afterFailure({ attempts: 1, maxAttempts: 3 }, 'boom', clock.now(), policy);
    expect(first).toEqual({ state: 'queued', runAt: clock.now() + 1000, lastError: 'boom' });
    await clock.advance(1000);
    const second = afterFailure({ attempts: 2, maxAttempts: 3 }, 'boom again', clock.now(), policy);
    expect(second).toEqual({ state: 'queued', runAt: clock.now() + 2000, lastError: 'boom again' });
  });

  it("waits at least a failure's retryAfterMs, but never past the policy's longest wait", () => {
    const now = new FakeClock().now();
    const after = (retryAfterMs: number) =>
      afterFailure({ attempts: 1, maxAttempts: 3 }, 'rate limited', now, policy, false, retryAfterMs);
    expect(after(7000)).toMatchObject({ state: 'queued', runAt: now + 7000 });
    // Shorter than the backoff: the backoff wins.
    expect(after(10)).toMatchObject({ runAt: now + 1000 });
    expect(after(-5)).toMatchObject({ runAt: now + 1000 });
    expect(after(Number.NaN)).toMatchObject({ runAt: now + 1000 });
    expect(after(24 * 3600_000)).toMatchObject({ runAt: now + policy.maxMs });
  });

  it('fails for good on the last attempt', () => {
    const now = new FakeClock().now();
    expect(afterFailure({ attempts: 3, maxAttempts: 3 }, 'still broken', now, policy)).toEqual({
      state: 'failed',
      finishedAt: now,
      lastError: 'still broken',
    });
  });

  it('fails a permanent failure at once, attempts left or not', () => {
    const now = new FakeClock().now();
    expect(afterFailure({ attempts: 1, maxAttempts: 5 }, 'no such session', now, policy, true)).toMatchObject({
      state: 'failed',
      finishedAt: now,
    });
  });

  it('marks success final with full progress and the result', () => {
    const now = new FakeClock().now();
    expect(afterSuccess(now, { bytes: 3 })).toEqual({
      state: 'succeeded',
      finishedAt: now,
      progress: 1,
      result: { bytes: 3 },
    });
  });

  it('keeps stored errors short', () => {
    const clipped = clipError('x'.repeat(MAX_ERROR_CHARS * 3));
    expect(clipped).toHaveLength(MAX_ERROR_CHARS);
    expect(clipError('short')).toBe('short');
  });
});
