import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './app-env';
import { bodyLimit } from './body-limit';

/** A chunked body (no declared length) that breaks off after its first chunk, as a malformed chunk does. */
function brokenChunkedRequest(): Request {
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new Error('aborted'));
      sent = true;
      controller.enqueue(new TextEncoder().encode('{"sessionIds":['));
    },
  });
  return new Request('http://test/api/x', { method: 'POST', body, duplex: 'half' });
}

describe('bodyLimit', () => {
  it('answers a chunked body that breaks off with 400 bad_request, not an unhandled error (fuzzer F1)', async () => {
    const app = new Hono<AppEnv>();
    app.use('/api/*', bodyLimit({ maxBytes: 1024, maxDrainBytes: 1024 }));
    app.post('/api/x', (c) => c.json({ reached: true }));
    const res = await app.request(brokenChunkedRequest());
    expect(res.status).toBe(400);
    expect(res.headers.get('connection')).toBe('close');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });
});
