import { describe, expect, it } from 'vitest';
import { advanceWatermark } from './watermark';

describe('advanceWatermark', () => {
  it.each([
    { current: 0, sequences: [], expected: 0, why: 'nothing stored' },
    { current: 0, sequences: [1, 2, 3], expected: 3, why: 'contiguous from the start' },
    { current: 0, sequences: [2, 3, 4], expected: 0, why: 'sequence 1 missing' },
    { current: 0, sequences: [1, 2, 4, 5], expected: 2, why: 'stops at the first gap' },
    { current: 5, sequences: [6, 7, 9], expected: 7, why: 'continues from the current watermark' },
    { current: 5, sequences: [8, 9], expected: 5, why: 'gap right after the watermark' },
    { current: 5, sequences: [3, 5, 6], expected: 6, why: 'ignores sequences at or below the watermark' },
  ])('$why', ({ current, sequences, expected }) => {
    expect(advanceWatermark(current, sequences)).toBe(expected);
  });
});
