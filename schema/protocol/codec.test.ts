import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import { decodeCompressed, encodeCompressed, InflateLimitError } from './codec';
import { sampleRecordedEvents } from '../testing/events';

describe('compressed frames', () => {
  it('round-trips and compresses realistic events well', () => {
    const events = sampleRecordedEvents('cs_md0ap0gn_thwyx', 500);
    const bytes = encodeCompressed(events);
    expect(decodeCompressed(bytes, 10_000_000)).toEqual(events);
    expect(JSON.stringify(events).length / bytes.length).toBeGreaterThan(8);
  });
  it('stops inflating a bomb at the bound', () => {
    const bomb = gzipSync(new Uint8Array(50_000_000).fill(32));
    expect(bomb.length).toBeLessThan(100_000);
    expect(() => decodeCompressed(bomb, 1_000_000)).toThrow(InflateLimitError);
  });
  it('rejects bytes that are not gzip', () => {
    expect(() => decodeCompressed(new TextEncoder().encode('{"type":"batch"}'), 1000)).toThrow(SyntaxError);
  });
});
