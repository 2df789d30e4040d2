import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { streamBytesResponse, streamJsonResponse } from './stream-response';

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>)) };
}

describe('streamed responses', () => {
  it('read the source only as the client reads, and stop it when the client goes away', async () => {
    const { logger } = recordingLogger();
    let produced = 0;
    let stopped = false;
    async function* pieces() {
      try {
        for (;;) {
          await Promise.resolve();
          produced++;
          yield new Uint8Array([produced]);
        }
      } finally {
        stopped = true;
      }
    }
    const res = streamBytesResponse(pieces(), logger, 'endless', { 'Content-Type': 'video/webm' });
    expect(res.headers.get('content-type')).toBe('video/webm');
    const reader = res.body!.getReader();
    expect((await reader.read()).value).toEqual(new Uint8Array([1]));
    // An endless source: only what was pulled (plus the stream's one-piece read-ahead) was produced.
    expect(produced).toBeLessThanOrEqual(2);
    await reader.cancel();
    expect(stopped).toBe(true);
  });

  it('cut the body and log the failure when the source fails midway', async () => {
    const { lines, logger } = recordingLogger();
    async function* pieces() {
      await Promise.resolve();
      yield new Uint8Array([1]);
      throw new Error('blob is missing');
    }
    const res = streamBytesResponse(pieces(), logger, 'broken', {});
    await expect(res.arrayBuffer()).rejects.toThrow('blob is missing');
    expect(lines).toContainEqual(expect.objectContaining({ event: 'stream_failed', what: 'broken' }));
  });

  it('encode JSON text pieces as UTF-8', async () => {
    async function* pieces() {
      await Promise.resolve();
      yield '{"name":"';
      yield 'Zoë"}';
    }
    const res = streamJsonResponse(pieces(), recordingLogger().logger, 'json');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ name: 'Zoë' });
  });
});
