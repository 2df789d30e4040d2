import { describe, expect, it } from 'vitest';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { describeEvent, formatBytes, formatDuration } from './format';

describe('popup formatting', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KB'],
    [5 * 1024 * 1024, '5.0 MB'],
    [300 * 1024 ** 3, '300 GB'],
  ])('formatBytes(%i) = %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it.each([
    [0, '0:00'],
    [61_000, '1:01'],
    [3_723_000, '1:02:03'],
  ])('formatDuration(%i) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('describes every event type in one short line, showing masks not values', () => {
    const lines = sampleRecordedEvents('s', 15).map(describeEvent);
    expect(lines.every((l) => l.length > 0 && l.length < 80)).toBe(true);
    expect(lines).toContain('button "Add to cart"');
    expect(lines).toContain('email (masked: email)');
  });
});
