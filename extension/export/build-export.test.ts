import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../sync/testing/media-fixtures';
import { unzipSync, strFromU8 } from 'fflate';
import { createHash } from 'node:crypto';
import { LegacySessionExportSchema, validate, type MediaChunk, type ZipManifest } from '@codesight/schema';
import { sampleRecordedEvents, sampleSession } from '@codesight/schema/testing';
import { AppDB } from '../db/app-db';
import type { TrackKind } from './media-paths';
import { eventPages } from '../db/session-reader';
import { buildExport } from './build-export';

const db = new AppDB('build-export-test');
afterEach(async () => {
  await Promise.all(db.tables.map((t) => t.clear()));
});

async function seed(count: number) {
  await db.sessions.add(sampleSession('cs_test_00001', count));
  await db.events.bulkAdd(sampleRecordedEvents('cs_test_00001', count));
}

/** Bytes of chunk `index`: the first of a recording starts with the WebM (EBML) header, later ones do not. */
function chunkBytes(index: number, length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length).map((_, i) => (index * 37 + i) & 0xff);
  out.set(index === 0 ? [0x1a, 0x45, 0xdf, 0xa3] : [0x1f, 0x43, 0xb6, 0x75]);
  return out;
}

/** Stores chunks of `kind` (row and blob) in the given index order, as a recorder writing them would. */
async function storeChunks(kind: TrackKind, sessionId: string, order: number[]): Promise<Uint8Array[]> {
  const table = kind === 'audio' ? db.audioChunks : db.videoChunks;
  const mime = kind === 'audio' ? 'audio/webm;codecs=opus' : 'video/webm;codecs=vp9';
  const bytes: Uint8Array[] = [];
  for (const index of order) {
    const data = chunkBytes(index, 500 + index * 100);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const row: MediaChunk = {
      // Ids that do not sort like the indexes: only the [sessionId+chunkIndex] index may give the order.
      id: `${kind}-${sessionId}-${sha256.slice(0, 12)}`,
      sessionId,
      chunkIndex: index,
      startTime: 1_752_327_000_000 + index * 1_000,
      durationMs: 1_000,
      mime,
      bytes: data.length,
      sha256,
    };
    await db.blobs.put({ sha256, mime, bytes: data.length, blob: new Blob([data], { type: mime }) });
    await table.add(row);
    bytes[index] = data;
  }
  return bytes;
}

describe('buildExport', () => {
  it('pages events in sequence order without gaps or repeats', async () => {
    await seed(2500);
    const pages = [];
    for await (const page of eventPages(db, 'cs_test_00001', 1000)) pages.push(page.map((e) => e.sequence));
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
    expect(pages.flat()).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  it('builds the legacy JSON of every stored event', async () => {
    await seed(40);
    const { blob, filename } = await buildExport(db, 'cs_test_00001', 'json');
    expect(filename).toMatch(/cs_test_00001\.json$/);
    const parsed = validate(LegacySessionExportSchema, JSON.parse(await blob.text()));
    expect(parsed.ok && parsed.value.events.length).toBe(40);
  });

  it('builds a ZIP whose manifest lists every file', async () => {
    await seed(30);
    const { blob } = await buildExport(db, 'cs_test_00001', 'zip');
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as ZipManifest;
    expect(Object.keys(files).sort()).toEqual(['manifest.json', ...manifest.files.map((f) => f.path)].sort());
    expect(strFromU8(files['events.jsonl']!).trim().split('\n')).toHaveLength(30);
  });

  it('concatenates each track in chunkIndex order, whatever order the rows were stored in', async () => {
    await seed(10);
    const audio = await storeChunks('audio', 'cs_test_00001', [2, 0, 3, 1]);
    const video = await storeChunks('video', 'cs_test_00001', [1, 0]);
    // Another session's chunks stay out.
    await storeChunks('audio', 'cs_test_00002', [0]);
    const { blob } = await buildExport(db, 'cs_test_00001', 'zip');
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(files['audio/narration.webm']).toEqual(concatBytes(audio));
    expect(files['video/tab.webm']).toEqual(concatBytes(video));
    expect(files['audio/chunk-000002.webm']).toEqual(audio[2]);
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as ZipManifest;
    expect(manifest.counts).toMatchObject({ audioChunks: 4, videoChunks: 2 });
    const training = JSON.parse(strFromU8(files['training-data.json']!)) as { video_path: unknown };
    expect(training.video_path).toBe('video/tab.webm');
  });

  it('without video rows: no video file, video_path null', async () => {
    await seed(10);
    await storeChunks('audio', 'cs_test_00001', [0, 1]);
    await storeChunks('video', 'cs_test_00002', [0]);
    const { blob } = await buildExport(db, 'cs_test_00001', 'zip');
    const files = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(files['video/tab.webm']).toBeUndefined();
    expect((JSON.parse(strFromU8(files['training-data.json']!)) as { video_path: unknown }).video_path).toBeNull();
    expect((JSON.parse(strFromU8(files['manifest.json']!)) as ZipManifest).counts.videoChunks).toBe(0);
  });

  it("fails with the reason when a chunk's bytes are missing", async () => {
    await seed(5);
    await storeChunks('video', 'cs_test_00001', [0, 1]);
    const missing = (await db.videoChunks.toArray()).find((c) => c.chunkIndex === 1)!;
    await db.blobs.delete(missing.sha256);
    await expect(buildExport(db, 'cs_test_00001', 'zip')).rejects.toThrow(/video chunk 1 has no stored bytes/);
  });

  it('refuses an unknown session with a clear message', async () => {
    await expect(buildExport(db, 'missing', 'json')).rejects.toThrow('no session missing');
  });
});
