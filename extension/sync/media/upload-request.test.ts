import { describe, expect, it } from 'vitest';
import { UploadRequestSchema, validate } from '@codesight/schema';
import { sampleAudioChunk, samplePng, sampleScreenshot, sampleWebm } from '../testing/media-fixtures';
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
