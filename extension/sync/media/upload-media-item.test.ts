import { describe, expect, it } from 'vitest';
import { UploadRequestSchema, validate } from '@codesight/schema';
import { systemClock } from '@codesight/schema';
import { FakeMediaServer } from '../testing/fake-media-server';
import { sampleAudioChunk, samplePng, sampleScreenshot, sampleWebm, sha256Of } from '../testing/media-fixtures';
import { sha256Hex, uploadMediaItem, uploadRequestFor, type MediaHttp } from './upload-media-item';

describe('uploadRequestFor', () => {
  it('builds a valid upload request for a screenshot, without local-only fields', () => {
    const row = sampleScreenshot('cs_req', 3, samplePng(3), {
      triggerSequence: undefined,
      compressionRatio: undefined,
    });
    const request = uploadRequestFor({ kind: 'screenshot', row }, row.bytes);
    expect(validate(UploadRequestSchema, JSON.parse(JSON.stringify(request)))).toMatchObject({ ok: true });
    expect(JSON.parse(JSON.stringify(request))).toEqual({
      sha256: row.sha256,
      bytes: row.bytes,
      mime: 'image/png',
      sessionId: 'cs_req',
      kind: 'screenshot',
      meta: {
        id: row.id,
        timestamp: row.timestamp,
        width: 4,
        height: 3,
        burstId: row.burstId,
        burstIndex: 0,
        burstTotal: 1,
        trigger: 'click',
      },
    });
  });

  it('builds a valid upload request for an audio chunk, announcing the verified size', () => {
    const row = sampleAudioChunk('cs_req', 2, sampleWebm(2));
    const request = uploadRequestFor({ kind: 'audio', row }, 999);
    expect(validate(UploadRequestSchema, request)).toMatchObject({ ok: true });
    expect(request).toEqual({
      sha256: row.sha256,
      bytes: 999,
      mime: 'audio/webm;codecs=opus',
      sessionId: 'cs_req',
      kind: 'audio',
      meta: { id: row.id, chunkIndex: 2, startTime: row.startTime, durationMs: 10_000 },
    });
  });
});

describe('sha256Hex', () => {
  it('matches node:crypto, including for empty input', async () => {
    for (const bytes of [new Uint8Array(0), samplePng(1), sampleWebm(5, 100_000)]) {
      expect(await sha256Hex(bytes)).toBe(sha256Of(bytes));
    }
  });
});

describe('uploadMediaItem', () => {
  const http = (server: FakeMediaServer): MediaHttp => ({
    baseUrl: server.baseUrl,
    apiKey: 'k',
    fetch: server.fetch,
    clock: systemClock,
    requestTimeoutMs: 5000,
  });
  const bytes = samplePng(8);
  const request = uploadRequestFor({ kind: 'screenshot', row: sampleScreenshot('cs_one', 0, bytes) }, bytes.byteLength);

  it('does the three steps, then only the announcement and the completion for a repeat', async () => {
    const server = new FakeMediaServer({ apiKey: 'k' });
    expect(await uploadMediaItem(http(server), request, bytes)).toEqual({
      kind: 'uploaded',
      created: true,
      bytesSent: bytes.byteLength,
    });
    expect(server.requests.map((r) => r.step)).toEqual(['url', 'put', 'complete']);
    expect(await uploadMediaItem(http(server), request, bytes)).toEqual({
      kind: 'uploaded',
      created: false,
      bytesSent: 0,
    });
    expect(server.requests.map((r) => r.step)).toEqual(['url', 'put', 'complete', 'url', 'complete']);
  });

  it('never puts a credential in its messages: the upload URL is named by host only', async () => {
    const server = new FakeMediaServer({ apiKey: 'k', target: 's3' });
    server.inject({ step: 'put', answer: 'network', times: 2 });
    const outcome = await uploadMediaItem(http(server), request, bytes);
    expect(outcome).toMatchObject({ kind: 'retry', code: 'network' });
    const message = (outcome as { message: string }).message;
    expect(message).toBe('PUT s3.fake.test: fetch failed');
  });

  it('sends the completion with the upload id it was given', async () => {
    const server = new FakeMediaServer({ apiKey: 'k' });
    const bodies: unknown[] = [];
    const spy: typeof fetch = (input, init) => {
      if (String(input).endsWith('/complete')) bodies.push(JSON.parse(init!.body as string));
      return server.fetch(input, init);
    };
    await uploadMediaItem({ ...http(server), fetch: spy }, request, bytes);
    expect(bodies).toEqual([{ ...request, uploadId: 'upload-1' }]);
  });
});
