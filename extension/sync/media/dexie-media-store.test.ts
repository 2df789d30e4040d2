import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { AppDB } from '../../db/app-db';
import { DexieMediaStore } from './dexie-media-store';
import { FakeMediaServer } from '../testing/fake-media-server';
import { sampleAudioChunk, samplePng, sampleScreenshot, sampleWebm } from '../testing/media-fixtures';
import { describeMediaStoreContract } from '../testing/media-store-contract';
import { createMediaUploader } from './media-uploader';

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
    async addAudioChunk(row: Parameters<typeof db.audioChunks.add>[0], bytes: Uint8Array) {
      await db.transaction('rw', db.audioChunks, db.blobs, async () => {
        await putBlob(row.sha256, row.mime, bytes);
        await db.audioChunks.add(row);
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

describe('DexieMediaStore', () => {
  it('drives the uploader end to end over IndexedDB: uploads once, and a new worker finds nothing to redo', async () => {
    const t = openDb();
    for (let i = 0; i < 3; i++) await t.addScreenshot(sampleScreenshot('cs_dx', i, samplePng(i)), samplePng(i));
    await t.addAudioChunk(sampleAudioChunk('cs_dx', 0, sampleWebm(7)), sampleWebm(7));
    await t.setAck('cs_dx', 2);
    const server = new FakeMediaServer({ apiKey: 'k' });
    const first = createMediaUploader({
      store: new DexieMediaStore(t.db),
      baseUrl: server.baseUrl,
      apiKey: 'k',
      fetch: server.fetch,
    });
    // Screenshot 2 was taken for event 3, which the server does not hold yet.
    expect(await first.runOnce()).toMatchObject({ uploaded: 3, skipped: 1, failed: 0, quarantined: 0 });
    expect([...server.rows.keys()].sort()).toEqual([
      'audio:cs_dx-audio-0',
      'screenshot:cs_dx-shot-0',
      'screenshot:cs_dx-shot-1',
    ]);
    expect(server.rows.get('screenshot:cs_dx-shot-1')?.sha256).toBe(sampleScreenshot('cs_dx', 1, samplePng(1)).sha256);

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
    expect(server.created).toBe(4);
    expect(await t.db.mediaSync.where('state').equals('uploaded').count()).toBe(4);
  });

  it('quarantines a row whose blob is missing or damaged, and lists it with the reason', async () => {
    const t = openDb();
    const good = sampleScreenshot('cs_dq', 0, samplePng(0));
    await t.addScreenshot(good, samplePng(0));
    const missing = sampleAudioChunk('cs_dq', 0, sampleWebm(1));
    await t.db.audioChunks.add(missing);
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
    expect(await uploader.runOnce()).toMatchObject({ uploaded: 1, quarantined: 2, failed: 0 });
    const quarantined = await new DexieMediaStore(t.db).listQuarantined();
    expect(quarantined.map((q) => [q.kind, q.id, q.code]).sort()).toEqual([
      ['audio', missing.id, 'local_blob_missing'],
      ['screenshot', damaged.id, 'local_hash_mismatch'],
    ]);
    expect(server.requests.map((r) => r.sha256)).toEqual([good.sha256, good.sha256, good.sha256]);
    expect(uploader.getStatus().pendingItems).toBe(0);
    expect(uploader.getStatus().quarantined.map((q) => q.id)).toContain(damaged.id);
  });

  it('writes no upload state for media deleted while they were uploading', async () => {
    const t = openDb();
    const row = sampleScreenshot('cs_gone', 0, samplePng(0));
    await t.addScreenshot(row, samplePng(0));
    const chunk = sampleAudioChunk('cs_gone', 0, sampleWebm(0));
    await t.addAudioChunk(chunk, sampleWebm(0));
    const store = new DexieMediaStore(t.db);
    // As deleteSession does, between the uploader's listing and its writes.
    await t.db.screenshots.delete(row.id);
    await t.db.audioChunks.delete(chunk.id);
    await store.markUploaded({ kind: 'screenshot', id: row.id, sessionId: 'cs_gone' }, 1);
    await store.quarantine({
      kind: 'audio',
      id: chunk.id,
      sessionId: 'cs_gone',
      sha256: chunk.sha256,
      bytes: chunk.bytes,
      code: 'local_blob_missing',
      reason: 'gone',
      at: 1,
    });
    expect(await t.db.mediaSync.count()).toBe(0);
  });
});
