import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './app-env';
import { bodyLimit } from './body-limit';
import { drainUnreadBody } from './drain-body';
import { errorResponse } from './errors';

/** A POST to `path` with a body of `chunks` x 1 KiB that records how much of it was read. */
function trackedBody(chunks: number, headers: Record<string, string> = {}, path = '/x') {
  const seen = { pulled: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled === chunks) return controller.close();
      seen.pulled++;
      controller.enqueue(new Uint8Array(1024));
    },
  });
  const init = { method: 'POST', body, headers, duplex: 'half' } as RequestInit;
  return { request: new Request(`http://test${path}`, init), seen };
}

/** The app's middleware order; `/x` refuses before reading the body (no body limit), `/api/read` reads it. */
function app(maxDrainBytes: number, maxBytes = 64 * 1024) {
  const a = new Hono<AppEnv>();
  a.use(drainUnreadBody(maxDrainBytes));
  a.use('/api/*', bodyLimit({ maxBytes, maxDrainBytes }));
  a.post('/x', (c) => errorResponse(c, 'authentication_failed', 'bad key'));
  a.post('/api/read', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
  return a;
}

describe('drainUnreadBody', () => {
  it('reads the rest of a body a refusal left unread before answering, keeping the connection', async () => {
    const { request, seen } = trackedBody(40);
    const res = await app(1024 * 1024).request(request);
    expect(res.status).toBe(401);
    expect(seen.pulled).toBe(40);
    expect(res.headers.get('connection')).toBeNull();
  });

  it('stops at its bound and answers with Connection: close', async () => {
    const { request, seen } = trackedBody(40);
    const res = await app(8 * 1024).request(request);
    expect(res.status).toBe(401);
    expect(seen.pulled).toBeLessThan(40);
    expect(res.headers.get('connection')).toBe('close');
  });

  it('does not wait for a body declared past its bound', async () => {
    const { request, seen } = trackedBody(40, { 'content-length': String(40 * 1024) });
    const res = await app(8 * 1024).request(request);
    expect(res.headers.get('connection')).toBe('close');
    expect(seen.pulled).toBeLessThanOrEqual(1);
  });
});

describe('bodyLimit', () => {
  it('refuses a declared length over the limit from the header alone', async () => {
    const { request } = trackedBody(100, { 'content-length': String(100 * 1024) }, '/api/read');
    const res = await app(1024 * 1024, 64 * 1024).request(request);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: { code: 'payload_too_large', message: 'request body exceeds 65536 bytes' },
    });
  });

  it('hands a chunked body within the limit on whole, and refuses a longer one after reading it out', async () => {
    const small = trackedBody(10, {}, '/api/read');
    const read = await app(1024 * 1024).request(small.request);
    expect(await read.json()).toEqual({ bytes: 10 * 1024 });

    const big = trackedBody(100, {}, '/api/read');
    const refused = await app(1024 * 1024, 64 * 1024).request(big.request);
    expect(refused.status).toBe(413);
    expect(big.seen.pulled).toBe(100);
    expect(refused.headers.get('connection')).toBeNull();
  });
});
