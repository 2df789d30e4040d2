import { describe, expect, it } from 'vitest';
import { createRateLimiter, retryAfterSeconds } from './rate-limiter';

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

  it('tells whether a token is there without taking it', () => {
    const limiter = createRateLimiter(1, { now: () => 0 });
    expect(limiter.hasToken('a')).toBe(true);
    expect(limiter.hasToken('a')).toBe(true);
    expect(limiter.take('a')).toBe(true);
    expect(limiter.hasToken('a')).toBe(false);
  });

  it('charges past empty, down to a minute of debt, and makes the wait that much longer', () => {
    let t = 0;
    const limiter = createRateLimiter(6, { now: () => t });
    // Six attempts passed hasToken together; their failures are counted after, and then four more.
    for (let i = 0; i < 6; i++) expect(limiter.hasToken('ip')).toBe(true);
    for (let i = 0; i < 10; i++) limiter.charge('ip');
    // 6 tokens, 10 charged: 4 in debt, so 5 tokens (50 s) until the next one.
    expect(limiter.retryAfterMs('ip')).toBe(50_000);
    for (let i = 0; i < 100; i++) limiter.charge('ip');
    // Debt stops at a minute's worth: 6 + 1 tokens to refill, 70 s.
    expect(limiter.retryAfterMs('ip')).toBe(70_000);
    // A bucket in debt is not forgotten as idle before it is full again.
    t += 69_999;
    expect(limiter.take('other')).toBe(true); // triggers the sweep
    expect(limiter.hasToken('ip')).toBe(false);
    t += 1;
    expect(limiter.take('ip')).toBe(true);
  });

  it('answers Retry-After in whole seconds, at least one', () => {
    let t = 0;
    const limiter = createRateLimiter(60, { now: () => t });
    expect(retryAfterSeconds(limiter, 'k')).toBe(1);
    for (let i = 0; i < 60; i++) limiter.take('k');
    t += 500;
    expect(retryAfterSeconds(limiter, 'k')).toBe(1);
    limiter.charge('k');
    expect(retryAfterSeconds(limiter, 'k')).toBe(2);
  });
});
