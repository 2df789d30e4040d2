import { gzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { BODY_CUT_OFF, readJsonBody } from './read-body';

const MiB = 1024 * 1024;

/** An app answering what readJsonBody made of the body. */
const app = new Hono().post('/', async (c) => c.json(await readJsonBody(c, 64 * MiB)));

async function read(body: string | Uint8Array, gzip = false): Promise<unknown> {
  const headers = { 'content-type': gzip ? 'application/octet-stream' : 'application/json' };
  return (await app.request('/', { method: 'POST', headers, body })).json();
}

describe('readJsonBody (issue 10)', () => {
  it('parses JSON and gzip JSON', async () => {
    expect(await read('{"type":"resume","sessionIds":[]}')).toEqual({
      ok: true,
      value: { type: 'resume', sessionIds: [] },
    });
    expect(await read(gzipSync('{"a":1}'), true)).toEqual({ ok: true, value: { a: 1 } });
  });

  it('stops inflating past 200x the compressed size', async () => {
    const stubs = gzipSync(JSON.stringify(Array.from({ length: 60_000 }, () => ({ type: 'click' }))));
    expect(await read(stubs, true)).toEqual({
      ok: false,
      error: {
        code: 'payload_too_large',
        message: `inflated body exceeds ${stubs.byteLength * 200} bytes (200x its ${stubs.byteLength} compressed bytes)`,
      },
    });
  });

  it('refuses JSON nested too deep or with too long an array before parsing it, and text that is not JSON', async () => {
    expect(await read('['.repeat(150_000) + ']'.repeat(150_000))).toEqual({
      ok: false,
      error: { code: 'validation_failed', message: 'request body: JSON nested deeper than 64 levels' },
    });
    expect(await read(JSON.stringify({ data: Array.from({ length: 5_001 }, () => 0) }))).toEqual({
      ok: false,
      error: { code: 'validation_failed', message: 'request body: JSON array of more than 5000 items' },
    });
    expect(await read('{oops')).toEqual({
      ok: false,
      error: { code: 'invalid_json', message: 'request body is not valid JSON' },
    });
  });

  it('answers a body its client aborted mid-way as bad_request, not an unhandled error (the fuzzer saw 500s)', async () => {
    for (const gzip of [false, true]) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"type":"resu'));
          controller.error(new Error('aborted'));
        },
      });
      const headers = { 'content-type': gzip ? 'application/octet-stream' : 'application/json' };
      const res = await app.request('/', { method: 'POST', headers, body, duplex: 'half' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: false, error: { code: 'bad_request', message: BODY_CUT_OFF } });
    }
  });
});
