import { describe, expect, it } from 'vitest';
import { createSeededRandom, randomInt } from './random';

describe('createSeededRandom', () => {
  it('replays a seed and differs between seeds', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, createSeededRandom(seed));
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const r = createSeededRandom(99);
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = r();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      buckets[Math.floor(x * 10)] += 1;
    }
    for (const b of buckets) expect(b).toBeGreaterThan(850);
  });

  it('randomInt covers both bounds', () => {
    const r = createSeededRandom(3);
    const seen = new Set(Array.from({ length: 200 }, () => randomInt(r, 2, 5)));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });
});
