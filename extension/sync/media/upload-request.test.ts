import { describe, expect, it } from 'vitest';
import { UploadRequestSchema, validate } from '@codesight/schema';
import { sampleChunk, samplePng, sampleScreenshot, sampleWebm } from '../testing/media-fixtures';
import { uploadRequestFor } from './upload-request';

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

  it('sends the viewport size and device pixel ratio of a screenshot that has them', () => {
    const row = sampleScreenshot('cs_req', 1, samplePng(1), {
      viewportWidth: 1280,
      viewportHeight: 720,
      devicePixelRatio: 1.5,
    });
    const request = uploadRequestFor({ kind: 'screenshot', row }, row.bytes);
    expect(validate(UploadRequestSchema, request)).toMatchObject({ ok: true });
    expect(request.meta).toMatchObject({ viewportWidth: 1280, viewportHeight: 720, devicePixelRatio: 1.5 });
  });

  it.each([
    ['audio', 'audio/webm;codecs=opus'],
    ['video', 'video/webm;codecs=vp9'],
  ] as const)('builds a valid upload request for a %s chunk, announcing the verified size', (kind, mime) => {
    const row = sampleChunk(kind, 'cs_req', 2, sampleWebm(2));
    const request = uploadRequestFor({ kind, row }, 999);
    expect(validate(UploadRequestSchema, request)).toMatchObject({ ok: true });
    expect(request).toEqual({
      sha256: row.sha256,
      bytes: 999,
      mime,
      sessionId: 'cs_req',
      kind,
      meta: { id: row.id, chunkIndex: 2, startTime: row.startTime, durationMs: 10_000 },
    });
  });
});
