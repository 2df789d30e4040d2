import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  const policy = { baseMs: 1000, maxMs: 30_000 };

  it('doubles from the base after each failed attempt', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, policy))).toEqual([1000, 2000, 4000, 8000, 16_000]);
  });

  it('stops growing at the cap, however many attempts failed', () => {
    expect(retryDelayMs(6, policy)).toBe(30_000);
    expect(retryDelayMs(1000, policy)).toBe(30_000);
  });

  it('treats nonsense counts as the first failure', () => {
    expect(retryDelayMs(0, policy)).toBe(1000);
    expect(retryDelayMs(-3, policy)).toBe(1000);
  });
});
