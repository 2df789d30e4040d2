import { describe, expect, it } from 'vitest';
import { FakeMediaServer } from '../testing/fake-media-server';
import { samplePng, sampleScreenshot } from '../testing/media-fixtures';
import type { MediaHttp } from './media-http';
import { uploadMediaItem } from './upload-media-item';
import { uploadRequestFor } from './upload-request';
import { FakeClock } from '@codesight/schema/testing';

describe('uploadMediaItem', () => {
  const http = (server: FakeMediaServer): MediaHttp => ({
    baseUrl: server.baseUrl,
    apiKey: 'k',
    fetch: server.fetch,
    clock: new FakeClock(),
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
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.endsWith('/complete')) bodies.push(JSON.parse(init!.body as string));
      return server.fetch(input, init);
    };
    await uploadMediaItem({ ...http(server), fetch: spy }, request, bytes);
    expect(bodies).toEqual([{ ...request, uploadId: 'upload-1' }]);
  });
});
