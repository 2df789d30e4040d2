import { gzipSync } from 'node:zlib';
import { encodeCompressed, LIMITS } from '@codesight/schema';
import { describe, expect, it } from 'vitest';
import { decodeFrame, frameSize, jsonBytesOf } from './frame-decoder';

const MAX = 10_000;
// A copy into an ArrayBuffer of its own: a Node Buffer's .slice() is a view, and .buffer would then be the
// whole shared pool slab around it (which made the gzip case flaky).
const buffer = (bytes: Uint8Array) => new Uint8Array(bytes).buffer;

describe('decodeFrame', () => {
  it('decodes a text frame and a gzip binary frame, counting their JSON bytes', () => {
    const text = JSON.stringify({ type: 'batch', note: 'é' });
    expect(decodeFrame(text, MAX)).toEqual({
      ok: true,
      value: { message: { type: 'batch', note: 'é' }, jsonBytes: Buffer.byteLength(text) },
    });
    const compressed = decodeFrame(buffer(encodeCompressed({ type: 'resume', sessionIds: [] })), MAX);
    expect(compressed).toEqual({
      ok: true,
      value: {
        message: { type: 'resume', sessionIds: [] },
        jsonBytes: JSON.stringify({ type: 'resume', sessionIds: [] }).length,
      },
    });
  });

  it.each([
    ['text that is not JSON', '{oops', 'invalid_json', 'text frame is not valid JSON', 5],
    [
      'JSON that is not an object',
      JSON.stringify('just a string'),
      'bad_request',
      'a message must be a JSON object',
      15,
    ],
    ['an array', '[]', 'bad_request', 'a message must be a JSON object', 2],
    [
      'an object without a string type',
      JSON.stringify({ type: 3 }),
      'bad_request',
      'a message needs a string "type"',
      10,
    ],
    [
      'binary that is not gzip',
      buffer(new Uint8Array([1, 2, 3])),
      'invalid_json',
      'binary frame is not gzip-compressed JSON',
      0,
    ],
    [
      'gzip that is not JSON',
      buffer(gzipSync('not json')),
      'invalid_json',
      'binary frame is not gzip-compressed JSON',
      8,
    ],
    [
      'gzip past the inflate bound',
      buffer(encodeCompressed({ type: 'batch', pad: 'x'.repeat(20_000) })),
      'payload_too_large',
      `inflated frame exceeds ${MAX} bytes`,
      0,
    ],
  ])('refuses %s', (_what, data, code, message, jsonBytes) => {
    expect(decodeFrame(data, MAX)).toEqual({ ok: false, error: { code, message, jsonBytes } });
  });

  it("parses with the HTTP bodies' bounds: depth and array length are refused before JSON.parse", () => {
    const deep = `{"type":"resume","x":${'['.repeat(LIMITS.messageDepth)}${']'.repeat(LIMITS.messageDepth)}}`;
    const depthRefusal = {
      ok: false,
      error: {
        code: 'validation_failed',
        message: `frame: JSON nested deeper than ${LIMITS.messageDepth} levels`,
        jsonBytes: deep.length,
      },
    };
    expect(decodeFrame(deep, 100_000)).toEqual(depthRefusal);
    expect(decodeFrame(buffer(gzipSync(deep)), 100_000)).toEqual(depthRefusal);
    const long = JSON.stringify({ type: 'batch', events: new Array(LIMITS.arrayItems + 1).fill(0) });
    expect(decodeFrame(long, 100_000)).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: `frame: JSON array of more than ${LIMITS.arrayItems} items` },
    });
    // One level less, and exactly arrayItems items, parse.
    const fits = `{"type":"resume","x":${'['.repeat(LIMITS.messageDepth - 1)}${']'.repeat(LIMITS.messageDepth - 1)}}`;
    expect(decodeFrame(fits, 100_000).ok).toBe(true);
    const full = JSON.stringify({ type: 'batch', events: new Array(LIMITS.arrayItems).fill(0) });
    expect(decodeFrame(full, 100_000).ok).toBe(true);
  });

  it('refuses a Blob (another runtime) and measures every kind of frame', () => {
    const blob = new Blob(['{"type":"x"}']);
    expect(decodeFrame(blob, MAX)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(frameSize('é')).toBe(2);
    expect(frameSize(blob)).toBe(12);
    expect(frameSize(new ArrayBuffer(7))).toBe(7);
  });

  it('reads the JSON size of either branch', () => {
    expect(jsonBytesOf(decodeFrame('{"type":"x"}', MAX))).toBe(12);
    expect(jsonBytesOf(decodeFrame('{oops', MAX))).toBe(5);
  });
});
