import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { AppDB } from '../../db/app-db';
import { DexieMediaStore } from './dexie-media-store';
import { FakeMediaServer } from '../testing/fake-media-server';
import type { MediaChunk } from '@codesight/schema';
import { sampleChunk, samplePng, sampleScreenshot, sampleWebm } from '../testing/media-fixtures';
import { describeMediaStoreContract } from '../testing/media-store-contract';
import { createMediaUploader } from './media-uploader';
import type { ChunkKind, MediaKind, MediaRef } from './media-store';

let n = 0;

function openDb() {
  const name = `dexie-media-${++n}`;
  const db = new AppDB(name);
  const putBlob = (sha256: string, mime: string, bytes: Uint8Array) =>
    db.blobs.put({ sha256, mime, bytes: bytes.byteLength, blob: new Blob([new Uint8Array(bytes)], { type: mime }) });
  return {
    db,
    name,
    async addScreenshot(row: Parameters<typeof db.screenshots.add>[0], bytes: Uint8Array) {
      await db.transaction('rw', db.screenshots, db.blobs, async () => {
        await putBlob(row.sha256, row.mime, bytes);
        await db.screenshots.add(row);
      });
    },
    async addChunk(kind: ChunkKind, row: MediaChunk, bytes: Uint8Array) {
      const table = kind === 'audio' ? db.audioChunks : db.videoChunks;
      await db.transaction('rw', table, db.blobs, async () => {
        await putBlob(row.sha256, row.mime, bytes);
        await table.add(row);
      });
    },
    async setAck(sessionId: string, ackedThrough: number, closedOnServer = false) {
      await db.syncState.put({ sessionId, ackedThrough, closedOnServer });
    },
  };
}

// The same behaviour suite the memory store passes, over IndexedDB with rows written as the recorder
// and the sync engine write them (Blob bytes, syncState rows).
describeMediaStoreContract(
  'dexie',
  () => {
    const t = openDb();
    return { ...t, store: new DexieMediaStore(t.db), reopen: () => new DexieMediaStore(new AppDB(t.name)) };
  },
  { durable: true },
);

const CHUNK_TABLES = { audio: 'audioChunks', video: 'videoChunks' } as const satisfies Record<ChunkKind, string>;

describe('DexieMediaStore', () => {
  it('drives the uploader end to end over IndexedDB: uploads once, and a new worker finds nothing to redo', async () => {
    const t = openDb();
    for (let i = 0; i < 3; i++) await t.addScreenshot(sampleScreenshot('cs_dx', i, samplePng(i)), samplePng(i));
    await t.addChunk('audio', sampleChunk('audio', 'cs_dx', 0, sampleWebm(7)), sampleWebm(7));
    await t.addChunk('video', sampleChunk('video', 'cs_dx', 0, sampleWebm(8, 2000)), sampleWebm(8, 2000));
    await t.setAck('cs_dx', 2);
    const server = new FakeMediaServer({ apiKey: 'k' });
    const first = createMediaUploader({
      store: new DexieMediaStore(t.db),
      baseUrl: server.baseUrl,
      apiKey: 'k',
      fetch: server.fetch,
    });
    // Screenshot 2 was taken for event 3, which the server does not hold yet.
    expect(await first.runOnce()).toMatchObject({ uploaded: 4, skipped: 1, failed: 0, quarantined: 0 });
    expect([...server.rows.keys()].sort()).toEqual([
      'audio:cs_dx-audio-0',
      'screenshot:cs_dx-shot-0',
      'screenshot:cs_dx-shot-1',
      'video:cs_dx-video-0',
    ]);
    expect(server.rows.get('screenshot:cs_dx-shot-1')?.sha256).toBe(sampleScreenshot('cs_dx', 1, samplePng(1)).sha256);
    expect(server.rows.get('video:cs_dx-video-0')).toMatchObject({
      mime: 'video/webm;codecs=vp9',
      bytes: sampleWebm(8, 2000).byteLength,
    });

    await t.setAck('cs_dx', 3);
    const restarted = createMediaUploader({
      store: new DexieMediaStore(t.db),
      baseUrl: server.baseUrl,
      apiKey: 'k',
      fetch: server.fetch,
    });
    expect(await restarted.runOnce()).toMatchObject({ uploaded: 1, skipped: 0 });
    const requests = server.requests.length;
    expect(await restarted.runOnce()).toMatchObject({ uploaded: 0, skipped: 0, failed: 0 });
    expect(server.requests.length).toBe(requests);
    expect(server.created).toBe(5);
    expect(await t.db.mediaSync.where('state').equals('uploaded').count()).toBe(5);
  });

  it('quarantines a row whose blob is missing or damaged, and lists it with the reason', async () => {
    const t = openDb();
    const good = sampleScreenshot('cs_dq', 0, samplePng(0));
    await t.addScreenshot(good, samplePng(0));
    // Chunk rows of both kinds without their blobs.
    const missing = {
      audio: sampleChunk('audio', 'cs_dq', 0, sampleWebm(1)),
      video: sampleChunk('video', 'cs_dq', 0, sampleWebm(2)),
    };
    for (const kind of ['audio', 'video'] as const) await t.db[CHUNK_TABLES[kind]].add(missing[kind]);
    const damaged = sampleScreenshot('cs_dq', 1, samplePng(1));
    await t.addScreenshot(damaged, samplePng(1));
    const bad = samplePng(1);
    bad[20] = bad[20]! ^ 0xff;
    await t.db.blobs.update(damaged.sha256, { blob: new Blob([bad]) });
    await t.setAck('cs_dq', 10, true);

    const server = new FakeMediaServer({ apiKey: 'k' });
    const uploader = createMediaUploader({
      store: new DexieMediaStore(t.db),
      baseUrl: server.baseUrl,
      apiKey: 'k',
      fetch: server.fetch,
    });
    expect(await uploader.runOnce()).toMatchObject({ uploaded: 1, quarantined: 3, failed: 0 });
    const quarantined = await new DexieMediaStore(t.db).listQuarantined();
    expect(quarantined.map((q) => [q.kind, q.id, q.code]).sort()).toEqual([
      ['audio', missing.audio.id, 'local_blob_missing'],
      ['screenshot', damaged.id, 'local_hash_mismatch'],
      ['video', missing.video.id, 'local_blob_missing'],
    ]);
    expect(server.requests.map((r) => r.sha256)).toEqual([good.sha256, good.sha256, good.sha256]);
    expect(uploader.getStatus().pendingItems).toBe(0);
    expect(uploader.getStatus().quarantined.map((q) => q.id)).toContain(damaged.id);
  });

  it.each<MediaKind>(['screenshot', 'audio', 'video'])(
    'writes no upload state for a %s deleted while it was uploading, even if another kind has its id',
    async (kind) => {
      const t = openDb();
      // One row of every kind under the same id: only the deleted kind's own table may decide.
      await t.addScreenshot(sampleScreenshot('cs_gone', 0, samplePng(0), { id: 'gone' }), samplePng(0));
      for (const chunkKind of ['audio', 'video'] as const) {
        const bytes = sampleWebm(chunkKind === 'audio' ? 1 : 2);
        await t.addChunk(chunkKind, sampleChunk(chunkKind, 'cs_gone', 0, bytes, { id: 'gone' }), bytes);
      }
      const store = new DexieMediaStore(t.db);
      // As deleteSession does, between the uploader's listing and its writes.
      await (kind === 'screenshot' ? t.db.screenshots : t.db[CHUNK_TABLES[kind]]).delete('gone');
      const ref: MediaRef = { kind, id: 'gone', sessionId: 'cs_gone' };
      await store.markUploaded(ref, 1);
      await store.quarantine({ ...ref, sha256: 'x', bytes: 1, code: 'local_blob_missing', reason: 'gone', at: 1 });
      expect(await t.db.mediaSync.count()).toBe(0);

      // The kinds still stored take their marks.
      for (const other of (['screenshot', 'audio', 'video'] as const).filter((k) => k !== kind)) {
        await store.markUploaded({ ...ref, kind: other }, 2);
      }
      expect((await t.db.mediaSync.toArray()).map((row) => row.kind).sort()).toEqual(
        (['audio', 'screenshot', 'video'] as const).filter((k) => k !== kind),
      );
    },
  );
});
