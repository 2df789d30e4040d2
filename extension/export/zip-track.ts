import type { MediaChunk } from '@codesight/schema';
import { blobChunks } from './byte-streams';
import { writeJsonEntry, type HashedZipWriter, type ZipEntryWriter } from './hashed-zip-writer';
import { baseMime, chunkPath, isCompressedMime, trackFilePath, TRACKS, type TrackKind } from './media-paths';
import { startsWebmStream } from './webm-header';

/** One chunk of a track in its index: its row, its own file, and where its bytes are in the playable file. */
export type TrackChunkEntry = MediaChunk & {
  /** The chunk's own file, `audio/chunk-000003.webm`. */
  path: string;
  /** The playable file it is part of. */
  file: string;
  /** Byte offset of the chunk inside `file`. */
  offset: number;
};

/**
 * `audio/index.json` / `video/index.json`: the playable file(s) and, per chunk, its own file and its byte
 * `offset` in the playable file, so a consumer can align chunk `startTime`s with events or cut the file
 * apart again.
 */
export interface TrackIndex {
  /** The playable file of the first recording run (what training-data.json points at); null without chunks. */
  path: string | null;
  mime: string | null;
  /** Every playable file in order: one per recorder run (more than one only if recording restarted). */
  files: string[];
  chunks: TrackChunkEntry[];
}

/** Where a track's index goes. */
export function trackIndexPath(kind: TrackKind): string {
  return `${TRACKS[kind].folder}/index.json`;
}

/** A track's chunks with their bytes, in ascending chunkIndex order; each call starts a fresh pass. */
export type TrackSource = () => AsyncIterable<{ meta: MediaChunk; blob: Blob }>;

/**
 * Writes one recorded track in two passes over `source`, yielding the archive bytes as they come:
 * 1. the playable file: the chunks back to back in chunkIndex order (MediaRecorder timeslices are
 *    consecutive pieces of one WebM stream; only the first carries the header). A chunk that starts a
 *    new WebM stream (the recorder was restarted) starts the next file, `narration-2.webm`;
 * 2. each chunk in its own file, as recorded;
 * then the track index, which it returns. `onWritten` gets the chunk writes so far out of both passes.
 * Memory: one blob chunk at a time plus the metadata list. Chunks out of order, of mixed types, or
 * changing between the passes throw: a silently broken file is worse than a failed export.
 */
export async function* writeTrack(
  zip: HashedZipWriter,
  kind: TrackKind,
  source: TrackSource,
  onWritten: (done: number, total?: number) => void,
): AsyncGenerator<Uint8Array, TrackIndex, undefined> {
  const index: TrackIndex = { path: null, mime: null, files: [], chunks: [] };
  let file: ZipEntryWriter | null = null;
  let offset = 0;
  for await (const { meta, blob } of source()) {
    const previous = index.chunks[index.chunks.length - 1];
    if (previous && meta.chunkIndex <= previous.chunkIndex) {
      throw new Error(
        `${kind} chunk ${meta.chunkIndex} came after chunk ${previous.chunkIndex}: chunks must come in ascending chunkIndex order`,
      );
    }
    if (index.mime !== null && baseMime(meta.mime) !== baseMime(index.mime)) {
      throw new Error(
        `${kind} chunk ${meta.chunkIndex} is ${meta.mime} but the track is ${index.mime}: chunks of different types cannot be concatenated`,
      );
    }
    const restarted = file !== null && baseMime(meta.mime).endsWith('/webm') && (await startsWebmStream(blob));
    if (file === null || restarted) {
      file?.close();
      yield* zip.take();
      index.mime ??= meta.mime;
      const path = trackFilePath(kind, index.files.length + 1, meta.mime);
      index.files.push(path);
      file = zip.open(path, { compress: !isCompressedMime(meta.mime) });
      offset = 0;
    }
    index.chunks.push({ ...meta, path: chunkPath(kind, meta), file: index.files[index.files.length - 1]!, offset });
    for await (const piece of blobChunks(blob)) {
      file.write(piece);
      offset += piece.length;
      yield* zip.take();
    }
    onWritten(index.chunks.length);
  }
  file?.close();
  yield* zip.take();
  index.path = index.files[0] ?? null;

  const total = index.chunks.length;
  let written = 0;
  for await (const { meta, blob } of source()) {
    // Chunks recorded after the first pass (a session still recording) are not part of this export.
    if (written === total) break;
    const expected = index.chunks[written]!;
    if (meta.id !== expected.id || meta.sha256 !== expected.sha256) {
      throw new Error(`${kind} chunk ${expected.chunkIndex} changed during the export`);
    }
    const own = zip.open(expected.path, { compress: !isCompressedMime(meta.mime) });
    for await (const piece of blobChunks(blob)) {
      own.write(piece);
      yield* zip.take();
    }
    own.close();
    yield* zip.take();
    written += 1;
    onWritten(total + written, 2 * total);
  }
  if (written < total)
    throw new Error(`${kind} chunk ${index.chunks[written]!.chunkIndex} was deleted during the export`);
  yield* writeJsonEntry(zip, trackIndexPath(kind), index);
  return index;
}
