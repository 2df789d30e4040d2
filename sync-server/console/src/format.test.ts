import { describe, expect, it } from 'vitest';
import { bytesText, durationText } from './format';

describe('format', () => {
  it('sizes and durations', () => {
    expect(bytesText(512)).toBe('512 B');
    expect(bytesText(1536)).toBe('1.5 KiB');
    expect(bytesText(5 * 1024 ** 3)).toBe('5.0 GiB');
    expect(durationText(4_400)).toBe('4 s');
    expect(durationText(184_000)).toBe('3 min 4 s');
    expect(durationText(3_720_000)).toBe('1 h 2 min');
  });
});
