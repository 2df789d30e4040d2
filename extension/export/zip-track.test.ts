import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../sync/testing/media-fixtures';
import type { MediaChunk } from '@codesight/schema';
import { HashedZipWriter } from './hashed-zip-writer';
import type { TrackKind } from './media-paths';
import { trackIndexPath, writeTrack, type TrackIndex, type TrackSource } from './zip-track';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const T0 = 1_752_327_000_000;
const EBML = [0x1a, 0x45, 0xdf, 0xa3];
const MIME: Record<TrackKind, string> = { audio: 'audio/webm;codecs=opus', video: 'video/webm;codecs=vp9' };
const PLAYABLE: Record<TrackKind, string> = { audio: 'audio/narration.webm', video: 'video/tab.webm' };

/**
 * Bytes of chunk `index` as a MediaRecorder run hands them out: a run's first chunk starts with the EBML
 * header, later ones continue the stream (a Cluster ID here).
 */
function chunkBytes(index: number, length: number, startsRun = index === 0): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  out.set(startsRun ? EBML : [0x1f, 0x43, 0xb6, 0x75]);
  for (let i = 4; i < length; i++) out[i] = (index * 131 + i * 7) & 0xff;
  return out;
}

function chunk(kind: TrackKind, index: number, bytes: Uint8Array<ArrayBuffer>, mime = MIME[kind]) {
  const meta: MediaChunk = {
    id: `${kind}-${index}`,
    sessionId: 'cs_track',
    chunkIndex: index,
    startTime: T0 + index * 1_000,
    durationMs: 1_000,
    mime,
    bytes: bytes.length,
    sha256: sha256(bytes),
  };
  return { meta, blob: new Blob([bytes], { type: mime }) };
}

async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve(); // an item arrives later, as from IndexedDB
    yield item;
  }
}

/** Runs writeTrack alone into an archive; returns the files, the index and the progress reports. */
async function written(kind: TrackKind, source: TrackSource) {
  const zip = new HashedZipWriter(new Date(T0));
  const out: Uint8Array[] = [];
  const progress: Array<[number, number | undefined]> = [];
  const track = writeTrack(zip, kind, source, (done, total) => progress.push([done, total]));
  let next = await track.next();
  while (!next.done) {
    out.push(next.value);
    next = await track.next();
  }
  zip.end();
  out.push(...zip.take());
  return { files: unzipSync(concatBytes(out)), index: next.value, progress, entries: zip.files.map((f) => f.path) };
}

describe.each(['audio', 'video'] as const)('writeTrack (%s)', (kind) => {
  const sizes = [9_000, 100_000, 7, 70_001];

  it('concatenates the chunks in chunkIndex order into one playable file, and writes each chunk as recorded', async () => {
    const bytes = sizes.map((size, i) => chunkBytes(i, size));
    const { files, index, entries } = await written(kind, () => each(bytes.map((b, i) => chunk(kind, i, b))));
    expect(files[PLAYABLE[kind]]).toEqual(concatBytes(bytes));
    expect(entries).toEqual([
      PLAYABLE[kind],
      ...[0, 1, 2, 3].map((i) => `${kind}/chunk-00000${i}.webm`),
      trackIndexPath(kind),
    ]);
    bytes.forEach((b, i) => expect(files[`${kind}/chunk-00000${i}.webm`]).toEqual(b));
    expect(index).toMatchObject({ path: PLAYABLE[kind], mime: MIME[kind], files: [PLAYABLE[kind]] });
    expect(index.chunks.map((c) => [c.chunkIndex, c.file, c.offset, c.bytes])).toEqual([
      [0, PLAYABLE[kind], 0, 9_000],
      [1, PLAYABLE[kind], 9_000, 100_000],
      [2, PLAYABLE[kind], 109_000, 7],
      [3, PLAYABLE[kind], 109_007, 70_001],
    ]);
    for (const c of index.chunks) {
      expect(sha256(files[c.file]!.subarray(c.offset, c.offset + c.bytes))).toBe(c.sha256);
    }
    const stored = JSON.parse(new TextDecoder().decode(files[trackIndexPath(kind)])) as TrackIndex;
    expect(stored).toEqual(index);
  });

  it('starts a second playable file where the recorder was restarted (a chunk with its own header)', async () => {
    const bytes = [chunkBytes(0, 50), chunkBytes(1, 60), chunkBytes(2, 70, true), chunkBytes(3, 80)];
    const { files, index } = await written(kind, () => each(bytes.map((b, i) => chunk(kind, i, b))));
    const second = PLAYABLE[kind].replace('.webm', '-2.webm');
    expect(index.files).toEqual([PLAYABLE[kind], second]);
    expect(index.path).toBe(PLAYABLE[kind]);
    expect(files[PLAYABLE[kind]]).toEqual(concatBytes(bytes.slice(0, 2)));
    expect(files[second]).toEqual(concatBytes(bytes.slice(2)));
    expect(index.chunks.map((c) => [c.file, c.offset])).toEqual([
      [PLAYABLE[kind], 0],
      [PLAYABLE[kind], 50],
      [second, 0],
      [second, 70],
    ]);
  });

  it('without chunks: no playable file, an empty index', async () => {
    const { files, index } = await written(kind, () => each([]));
    expect(Object.keys(files)).toEqual([trackIndexPath(kind)]);
    expect(index).toEqual({ path: null, mime: null, files: [], chunks: [] });
  });

  it('reports the chunk writes of both passes', async () => {
    const { progress } = await written(kind, () => each([0, 1].map((i) => chunk(kind, i, chunkBytes(i, 10)))));
    expect(progress).toEqual([
      [1, undefined],
      [2, undefined],
      [3, 4],
      [4, 4],
    ]);
  });

  it('leaves out chunks recorded after the first pass (a session still recording)', async () => {
    const all = [0, 1, 2].map((i) => chunk(kind, i, chunkBytes(i, 20)));
    let calls = 0;
    const { files, index } = await written(kind, () => each(all.slice(0, 2 + calls++)));
    expect(index.chunks).toHaveLength(2);
    expect(files[`${kind}/chunk-000002.webm`]).toBeUndefined();
    expect(files[PLAYABLE[kind]]).toHaveLength(40);
  });

  it.each<[string, (all: ReturnType<typeof chunk>[], pass: number) => ReturnType<typeof chunk>[], RegExp]>([
    ['out of order', (all) => [all[1]!, all[0]!], /ascending chunkIndex/],
    ['of mixed types', (all) => [all[0]!, chunk(kind, 1, chunkBytes(1, 5), 'audio/ogg')], /cannot be concatenated/],
    ['changed between the passes', (all, pass) => (pass === 0 ? all : [all[0]!, all[2]!]), /changed during the export/],
    ['deleted between the passes', (all, pass) => (pass === 0 ? all : all.slice(0, 1)), /deleted during the export/],
  ])('throws for chunks %s', async (_name, pick, message) => {
    const all = [0, 1, 2].map((i) => chunk(kind, i, chunkBytes(i, 20)));
    let pass = 0;
    await expect(written(kind, () => each(pick(all, pass++)))).rejects.toThrow(message);
  });
});
