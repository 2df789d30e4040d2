import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeyFor } from '../src/blobs/blob-key';
import {
  completeUploadIntents,
  countAll,
  createUploadIntent,
  findLiveUploadIntent,
  recordAudioChunk,
  recordMediaChunk,
  recordScreenshot,
} from '../src/ingest';
import { startTestDatabase, unwrap, type TestDatabase } from './testing/db-fixtures';

let t: TestDatabase;
beforeAll(async () => {
  t = await startTestDatabase(['alice', 'bob']);
});
afterAll(async () => {
  await t?.stop();
});

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
const pngSha = createHash('sha256').update(png).digest('hex');
const pngBlob = { key: blobKeyFor(pngSha, 'image/png'), sha256: pngSha, bytes: png.byteLength, mime: 'image/png' };

describe('media metadata', () => {
  it('records a screenshot once per (session, burst, index) and creates the session', async () => {
    const shot = {
      sessionId: 'cs_media',
      burstId: 'burst-1',
      burstIndex: 0,
      burstTotal: 3,
      trigger: 'click',
      timestamp: 1_752_327_000_000,
      width: 1280,
      height: 800,
      blob: pngBlob,
      uploaded: false,
    };
    const first = unwrap(await recordScreenshot(t.open.db, 'alice', shot));
    expect(first.created).toBe(true);
    const again = unwrap(await recordScreenshot(t.open.db, 'alice', { ...shot, uploaded: true }));
    expect(again).toEqual({ id: first.id, created: false });
    const row = await t.open.db
      .selectFrom('screenshots')
      .selectAll()
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      session_id: 'cs_media',
      burst_total: 3,
      bytes: png.byteLength,
      uploaded_at: expect.any(Date) as unknown,
    });
    expect(await recordScreenshot(t.open.db, 'bob', { ...shot, burstIndex: 1 })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(await recordScreenshot(t.open.db, 'alice', { ...shot, blob: { ...pngBlob, sha256: 'nope' } })).toMatchObject(
      { error: { code: 'validation_failed' } },
    );
  });

  it('records audio chunks once per index', async () => {
    const chunk = {
      sessionId: 'cs_media',
      chunkIndex: 0,
      startTime: 1_752_327_000_000,
      durationMs: 5000,
      blob: { ...pngBlob, mime: 'audio/webm' },
      uploaded: false,
    };
    const first = unwrap(await recordAudioChunk(t.open.db, 'alice', chunk));
    expect(unwrap(await recordAudioChunk(t.open.db, 'alice', chunk))).toEqual({ id: first.id, created: false });
  });

  it('records video chunks in their own table, next to audio chunks of the same index', async () => {
    const chunk = {
      id: 'cs_media-video-0',
      sessionId: 'cs_media',
      chunkIndex: 0,
      startTime: 1_752_327_000_000,
      durationMs: 5000,
      blob: { ...pngBlob, mime: 'video/webm' },
      uploaded: false,
    };
    const first = unwrap(await recordMediaChunk(t.open.db, 'alice', 'video', chunk));
    expect(first).toEqual({ id: 'cs_media-video-0', created: true });
    expect(unwrap(await recordMediaChunk(t.open.db, 'alice', 'video', { ...chunk, uploaded: true }))).toEqual({
      id: first.id,
      created: false,
    });
    const row = await t.open.db
      .selectFrom('video_chunks')
      .selectAll()
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ session_id: 'cs_media', chunk_index: 0, uploaded_at: expect.any(Date) as unknown });
    expect(await recordMediaChunk(t.open.db, 'bob', 'video', { ...chunk, id: 'x', chunkIndex: 1 })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(await recordMediaChunk(t.open.db, 'alice', 'video', { ...chunk, chunkIndex: -1 })).toMatchObject({
      error: { code: 'validation_failed' },
    });
    expect((await countAll(t.open.db)).videoChunks).toBe(1);
  });

  it('stores the viewport of a screenshot and refuses an impossible device pixel ratio', async () => {
    const shot = {
      id: 'cs_media-viewport',
      sessionId: 'cs_media',
      timestamp: 1_752_327_001_000,
      viewportWidth: 1440,
      viewportHeight: 900,
      devicePixelRatio: 2.625,
      blob: pngBlob,
      uploaded: true,
    };
    unwrap(await recordScreenshot(t.open.db, 'alice', shot));
    expect(
      await t.open.db
        .selectFrom('screenshots')
        .select(['viewport_width', 'viewport_height', 'device_pixel_ratio'])
        .where('id', '=', shot.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ viewport_width: 1440, viewport_height: 900, device_pixel_ratio: 2.625 });
    for (const bad of [{ devicePixelRatio: Number.NaN }, { devicePixelRatio: 99 }, { viewportWidth: 1.5 }]) {
      expect(await recordScreenshot(t.open.db, 'alice', { ...shot, id: 'bad', ...bad })).toMatchObject({
        error: { code: 'validation_failed' },
      });
    }
  });

  it('records upload intents, finds them while they are fresh, and completes a worker\u2019s open ones', async () => {
    const intent = unwrap(
      await createUploadIntent(t.open.db, 'alice', { sha256: pngSha, bytes: png.byteLength, mime: 'image/png' }),
    );
    expect(intent.blob_key).toBe(pngBlob.key);
    expect((await countAll(t.open.db)).pendingUploads).toBe(1);
    expect(await findLiveUploadIntent(t.open.db, intent.id, 3600)).toMatchObject({ id: intent.id, worker_id: 'alice' });
    expect(await findLiveUploadIntent(t.open.db, intent.id, 0)).toBeUndefined();

    await completeUploadIntents(t.open.db, 'bob', intent.blob_key);
    expect((await countAll(t.open.db)).pendingUploads).toBe(1);
    await completeUploadIntents(t.open.db, 'alice', intent.blob_key);
    expect((await countAll(t.open.db)).pendingUploads).toBe(0);

    expect(
      await createUploadIntent(t.open.db, 'alice', { sha256: 'nope', bytes: png.byteLength, mime: 'image/png' }),
    ).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});
