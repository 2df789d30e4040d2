import { describe, expect, it } from 'vitest';
import { boxToPixels, REDACTION_MARGIN_PX as M } from './redact-pixels';

describe('boxToPixels', () => {
  it('scales the box and its margin to frame pixels', () => {
    // A device pixel ratio of 2.
    expect(boxToPixels({ x: 5, y: 4, width: 4, height: 3 }, 2, 100, 100)).toEqual({
      left: (5 - M) * 2,
      top: (4 - M) * 2,
      right: (9 + M) * 2,
      bottom: (7 + M) * 2,
    });
  });

  it('rounds fractional edges outwards, so a partly covered pixel is covered', () => {
    expect(boxToPixels({ x: 7.5 + M, y: 0.5 + M, width: 1.2, height: 1 }, 1, 100, 100)).toEqual({
      left: 7,
      top: 0,
      right: Math.ceil(7.5 + M + 1.2 + M),
      bottom: Math.ceil(0.5 + M + 1 + M),
    });
  });

  it('clips to the frame and gives nothing for a box outside it', () => {
    expect(boxToPixels({ x: 95, y: -10, width: 50, height: 20 }, 1, 100, 100)).toEqual({
      left: 95 - M,
      top: 0,
      right: 100,
      bottom: 10 + M,
    });
    expect(boxToPixels({ x: 200, y: 200, width: 5, height: 5 }, 1, 100, 100)).toBeUndefined();
  });
});
