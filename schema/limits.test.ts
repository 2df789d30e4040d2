import { describe, expect, it } from 'vitest';
import { inflatedSizeLimit, MAX_INFLATE_RATIO, MIN_INFLATE_ALLOWANCE } from './limits';

describe('inflatedSizeLimit', () => {
  const MiB = 1024 * 1024;

  it('allows MAX_INFLATE_RATIO times the compressed size, within the configured bound', () => {
    expect(inflatedSizeLimit(10_000, 64 * MiB)).toBe(10_000 * MAX_INFLATE_RATIO);
    expect(inflatedSizeLimit(1 * MiB, 64 * MiB)).toBe(64 * MiB);
    expect(inflatedSizeLimit(10_000, 1_000)).toBe(1_000);
  });

  it('lets small messages inflate to MIN_INFLATE_ALLOWANCE whatever their ratio', () => {
    expect(inflatedSizeLimit(20, 64 * MiB)).toBe(MIN_INFLATE_ALLOWANCE);
    expect(inflatedSizeLimit(0, 64 * MiB)).toBe(MIN_INFLATE_ALLOWANCE);
  });

  it('bounds the 2.6 KB batch of 60 000 stubs far below the megabyte it inflates to', () => {
    expect(inflatedSizeLimit(2_604, 64 * MiB)).toBeLessThan(1_020_000);
  });
});
