import { describe, expect, it } from 'vitest';
import { decodeChunkCursor, decodeScreenshotCursor, encodeChunkCursor, encodeScreenshotCursor } from './media-cursor';
import { MAX_SEQUENCE, MAX_TIMESTAMP_MS } from './limits';

const forged = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('media listing cursors', () => {
  it('round-trip the position after a screenshot and after a chunk', () => {
    for (const shot of [
      { timestamp: 1_752_327_000_000, burstIndex: 2, id: 'shot-1' },
      { timestamp: 0, burstIndex: 0, id: 'legacy_0123456789abcdef0123456789abcdef' },
      { timestamp: MAX_TIMESTAMP_MS, burstIndex: MAX_SEQUENCE, id: 'x'.repeat(128) },
    ]) {
      expect(decodeScreenshotCursor(encodeScreenshotCursor(shot))).toEqual(shot);
    }
    for (const index of [0, 7, MAX_SEQUENCE]) expect(decodeChunkCursor(encodeChunkCursor(index))).toBe(index);
  });

  it.each([
    ['not base64url JSON', '%%%'],
    ['JSON that is not an array', forged({ timestamp: 1 })],
    ['too few parts', forged([1, 0])],
    ['too many parts', forged([1, 0, 'a', 'b'])],
    ['a time past 9999', forged([MAX_TIMESTAMP_MS + 1, 0, 'a'])],
    ['a negative time', forged([-1, 0, 'a'])],
    ['a fractional burst index', forged([1, 0.5, 'a'])],
    ['a burst index past int4', forged([1, MAX_SEQUENCE + 1, 'a'])],
    ['a string time', forged(['1', 0, 'a'])],
    ['an empty id', forged([1, 0, ''])],
    ['an overlong id', forged([1, 0, 'x'.repeat(129)])],
    ['a chunk cursor', encodeChunkCursor(3)],
  ])('refuse %s as a screenshot cursor', (_, cursor) => {
    expect(decodeScreenshotCursor(cursor)).toBeNull();
  });

  it.each([
    ['a screenshot cursor', encodeScreenshotCursor({ timestamp: 1, burstIndex: 0, id: 'a' })],
    ['a negative index', forged([-1])],
    ['an index past int4', forged([MAX_SEQUENCE + 1])],
    ['a string index', forged(['3'])],
    ['null', forged(null)],
  ])('refuse %s as a chunk cursor', (_, cursor) => {
    expect(decodeChunkCursor(cursor)).toBeNull();
  });
});
