import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter';

describe('rate limiter', () => {
  it('allows a burst of perMinute, then refuses until tokens refill', () => {
    let t = 0;
    const limiter = createRateLimiter(6, { now: () => t });
    for (let i = 0; i < 6; i++) expect(limiter.take('k')).toBe(true);
    expect(limiter.take('k')).toBe(false);
    expect(limiter.retryAfterMs('k')).toBe(10_000);
    t += 9_999;
    expect(limiter.take('k')).toBe(false);
    t += 1;
    expect(limiter.take('k')).toBe(true);
    expect(limiter.take('k')).toBe(false);
  });

  it('keeps keys independent', () => {
    const limiter = createRateLimiter(1, { now: () => 0 });
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    expect(limiter.take('b')).toBe(true);
  });

  it('never refills above capacity and forgets idle buckets', () => {
    let t = 0;
    const limiter = createRateLimiter(2, { now: () => t });
    limiter.take('a');
    t += 3_600_000;
    expect(limiter.take('b')).toBe(true); // triggers the sweep
    expect(limiter.size()).toBe(1);
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
  });
});
