import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../http/rate-limiter';
import { createSpentCredentials } from './spent-credentials';

describe('spent credentials', () => {
  it('answers only while the remembered bucket is empty, then forgets', () => {
    let now = 0;
    const limiter = createRateLimiter(1, { now: () => now });
    const spent = createSpentCredentials(limiter);
    expect(limiter.take('worker:w')).toBe(true);
    spent.remember('key-1', 'worker:w');
    expect(spent.stillSpent('key-1')).toBe('worker:w');
    expect(spent.stillSpent('key-2')).toBeUndefined();
    now += 60_000;
    expect(spent.stillSpent('key-1')).toBeUndefined();
    expect(spent.size()).toBe(0);
  });

  it('holds at most its bound, forgetting the oldest first', () => {
    const limiter = createRateLimiter(1, { now: () => 0 });
    limiter.take('b');
    const spent = createSpentCredentials(limiter, 3);
    for (const key of ['k1', 'k2', 'k3', 'k4']) spent.remember(key, 'b');
    expect(spent.size()).toBe(3);
    expect(spent.stillSpent('k1')).toBeUndefined();
    expect(spent.stillSpent('k4')).toBe('b');
    // Remembering again refreshes a key's place.
    spent.remember('k2', 'b');
    spent.remember('k5', 'b');
    expect(spent.stillSpent('k2')).toBe('b');
    expect(spent.stillSpent('k3')).toBeUndefined();
  });
});
