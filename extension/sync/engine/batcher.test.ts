import { describe, expect, it } from 'vitest';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { estimateEventBytes, nextBatch } from './batcher';

const events = sampleRecordedEvents('s1', 40, 11); // sequences 11..50
const sizeOf = (n: number) => events.slice(0, n).reduce((sum, e) => sum + estimateEventBytes(e), 0);

describe('nextBatch', () => {
  it.each([
    { name: 'bounded by count', limits: { maxEvents: 7, maxBytes: 1e9 }, expected: 7 },
    { name: 'everything when it fits', limits: { maxEvents: 500, maxBytes: 1e9 }, expected: 40 },
    { name: 'bounded by bytes', limits: { maxEvents: 500, maxBytes: sizeOf(12) }, expected: 12 },
    { name: 'bytes just below a boundary', limits: { maxEvents: 500, maxBytes: sizeOf(12) - 1 }, expected: 11 },
    { name: 'one oversized event still goes', limits: { maxEvents: 500, maxBytes: 1 }, expected: 1 },
  ])('$name', ({ limits, expected }) => {
    const slice = nextBatch(events, 11, limits);
    expect(slice.kind).toBe('batch');
    if (slice.kind !== 'batch') return;
    expect(slice.events.map((e) => e.sequence)).toEqual(Array.from({ length: expected }, (_, i) => 11 + i));
    expect(slice.bytes).toBe(sizeOf(expected));
  });

  it('reports empty input and a missing first event', () => {
    expect(nextBatch([], 1)).toEqual({ kind: 'empty' });
    expect(nextBatch(events, 10)).toEqual({ kind: 'gap', missing: 10 });
  });

  it('stops before a hole in the middle, then reports it', () => {
    const holed = events.filter((e) => e.sequence !== 15);
    const slice = nextBatch(holed, 11);
    expect(slice.kind === 'batch' && slice.events.map((e) => e.sequence)).toEqual([11, 12, 13, 14]);
    expect(nextBatch(holed.slice(4), 15)).toEqual({ kind: 'gap', missing: 15 });
  });

  it('never exceeds the protocol limit even if asked to', () => {
    const many = sampleRecordedEvents('s1', 5_010);
    const slice = nextBatch(many, 1, { maxEvents: 10_000, maxBytes: 1e12 });
    expect(slice.kind === 'batch' && slice.events.length).toBe(5_000);
  });
});
