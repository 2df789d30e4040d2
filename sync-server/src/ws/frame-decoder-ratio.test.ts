import { gzipSync } from 'node:zlib';
import { MAX_INFLATE_RATIO } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from './frame-decoder';

const MiB = 1024 * 1024;
/** A copy in an ArrayBuffer of its own (a Node Buffer may be a view on a shared pool). */
const buffer = (bytes: Uint8Array) => new Uint8Array(bytes).buffer;

describe('decodeFrame inflation ratio (issue 10)', () => {
  it('refuses a tiny gzip frame that inflates ~400x while inflating, though under the size bound', () => {
    const stubs = Array.from({ length: 60_000 }, () => ({ type: 'click' }));
    const frame = gzipSync(JSON.stringify({ type: 'batch', events: stubs }));
    expect(frame.byteLength).toBeLessThan(4_000);
    const decoded = decodeFrame(buffer(frame), 64 * MiB);
    expect(decoded).toEqual({
      ok: false,
      error: {
        code: 'payload_too_large',
        message: `inflated frame exceeds ${frame.byteLength * MAX_INFLATE_RATIO} bytes (${MAX_INFLATE_RATIO}x its ${frame.byteLength} bytes)`,
        jsonBytes: 0,
      },
    });
  });

  it('still decodes a batch of recorded events, which compresses far less', () => {
    const events = sampleRecordedEvents('cs_ratio', 5_000);
    const frame = gzipSync(JSON.stringify({ type: 'batch', events }), { level: 9 });
    const decoded = decodeFrame(buffer(frame), 64 * MiB);
    expect(decoded.ok).toBe(true);
  });
});
