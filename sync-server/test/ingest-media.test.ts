import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeyFor } from '../src/blobs/blob-key';
import type { BlobStore } from '../src/blobs/blob-store';
import { createFsBlobStore } from '../src/blobs/fs-blob-store';
import {
  completeUpload,
  countAll,
  createUploadIntent,
  recordAudioChunk,
  recordScreenshot,
  recordSessionArchive,
} from '../src/ingest';
import { startTestDatabase, unwrap, type TestDatabase } from './db-fixtures';

let t: TestDatabase;
let dataDir: string;
let store: BlobStore;
beforeAll(async () => {
  t = await startTestDatabase(['alice', 'bob']);
  dataDir = await mkdtemp(join(tmpdir(), 'ingest-media-'));
  store = createFsBlobStore({ dataDir });
});
afterAll(async () => {
  await t?.stop();
  await rm(dataDir, { recursive: true, force: true });
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
      uploaded_at: expect.any(Date),
    });
    expect(await recordScreenshot(t.open.db, 'bob', { ...shot, burstIndex: 1 })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(await recordScreenshot(t.open.db, 'alice', { ...shot, blob: { ...pngBlob, sha256: 'nope' } })).toMatchObject(
      { error: { code: 'validation_failed' } },
    );
  });

  it('records audio chunks once per index and session archives for existing sessions only', async () => {
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
    expect(
      unwrap(await recordSessionArchive(t.open.db, 'alice', { sessionId: 'cs_media', kind: 'zip', blob: pngBlob }))
        .created,
    ).toBe(true);
    expect(
      await recordSessionArchive(t.open.db, 'alice', { sessionId: 'cs_none', kind: 'zip', blob: pngBlob }),
    ).toMatchObject({ error: { code: 'unknown_session' } });
  });

  it('completes an upload only once the stored blob matches, and marks the media uploaded', async () => {
    const intent = unwrap(
      await createUploadIntent(t.open.db, 'alice', { sha256: pngSha, bytes: png.byteLength, mime: 'image/png' }),
    );
    expect(intent.blob_key).toBe(pngBlob.key);
    expect((await countAll(t.open.db)).pendingUploads).toBe(1);

    expect(await completeUpload(t.open.db, store, 'alice', intent.id)).toMatchObject({
      error: { code: 'validation_failed', message: expect.stringMatching(/no blob/) },
    });
    await store.put(intent.blob_key, new Uint8Array([9, 9, 9, 9, 9, 9, 9]), 'image/png');
    expect(await completeUpload(t.open.db, store, 'alice', intent.id)).toMatchObject({
      error: { code: 'validation_failed', message: expect.stringMatching(/SHA-256/) },
    });
    // The wrong bytes were removed, so the same-size correct upload is not skipped as a repeat.
    expect(await store.head(intent.blob_key)).toBeNull();
    await store.put(intent.blob_key, png, 'image/png');
    expect(await completeUpload(t.open.db, store, 'bob', intent.id)).toMatchObject({ error: { code: 'not_found' } });

    const done = unwrap(await completeUpload(t.open.db, store, 'alice', intent.id));
    expect(done.completed_at).toBeInstanceOf(Date);
    const audio = await t.open.db
      .selectFrom('audio_chunks')
      .select('uploaded_at')
      .where('session_id', '=', 'cs_media')
      .executeTakeFirstOrThrow();
    expect(audio.uploaded_at).toBeInstanceOf(Date);
    expect((await countAll(t.open.db)).pendingUploads).toBe(0);
  });
});
