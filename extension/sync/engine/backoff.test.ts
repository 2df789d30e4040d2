import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, serverPacedDelay } from './backoff';
import { createSeededRandom } from '../testing/random';

describe('backoffDelay', () => {
  it.each([
    { attempt: 0, ceiling: 1_000 },
    { attempt: 1, ceiling: 2_000 },
    { attempt: 3, ceiling: 8_000 },
    { attempt: 8, ceiling: 256_000 },
    { attempt: 9, ceiling: 300_000 },
    { attempt: 50, ceiling: 300_000 },
    { attempt: 10_000, ceiling: 300_000 },
  ])('attempt $attempt stays below $ceiling ms and reaches near it', ({ attempt, ceiling }) => {
    expect(backoffDelay(attempt, () => 0)).toBe(0);
    expect(backoffDelay(attempt, () => 0.999_999)).toBe(Math.floor(0.999_999 * ceiling));
    expect(backoffDelay(attempt, () => 0.5)).toBe(ceiling / 2);
  });

  it('never exceeds the cap over many random draws, and spreads across the window', () => {
    const random = createSeededRandom(7);
    const draws = Array.from({ length: 2_000 }, (_, i) => backoffDelay(5 + (i % 40), random));
    expect(Math.max(...draws)).toBeLessThan(DEFAULT_BACKOFF.maxMs);
    // Full jitter: the draws cover the low and the high end of the window, not one point.
    expect(draws.some((d) => d < 10_000)).toBe(true);
    expect(draws.some((d) => d > 250_000)).toBe(true);
  });

  it('honours custom bounds', () => {
    expect(backoffDelay(2, () => 0.999, { baseMs: 100, maxMs: 250 })).toBe(249);
    expect(backoffDelay(1, () => 0.5, { baseMs: 100, maxMs: 250 })).toBe(100);
  });
});

describe('serverPacedDelay', () => {
  it('waits at least what the server asked, at most the backoff cap, else the backoff', () => {
    expect(serverPacedDelay(0, 8_000, () => 0.5)).toBe(8_000);
    expect(serverPacedDelay(9, 8_000, () => 0.5)).toBe(150_000);
    expect(serverPacedDelay(0, 0, () => 0.5)).toBe(500);
    expect(serverPacedDelay(0, 86_400_000, () => 0)).toBe(DEFAULT_BACKOFF.maxMs);
    expect(serverPacedDelay(0, Number.NaN, () => 0)).toBe(0);
    expect(serverPacedDelay(0, -5, () => 0)).toBe(0);
  });
});
