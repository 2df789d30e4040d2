import { Dexie } from 'dexie';
import type { MediaChunk } from '@codesight/schema';
import type { AppDB } from '../db/app-db';
import type { TrackKind } from './media-paths';

/**
 * A session's audio or video chunks with their bytes, in chunkIndex order (the order they concatenate
 * in) whatever order the rows were written in: the compound index sorts them. The rows are read first
 * (small: an hour of 1 s timeslices is 3,600 of them), the blobs one at a time as the consumer pulls. A
 * row whose blob is missing throws (the export fails with the reason) rather than leaving a hole in the
 * playable file.
 */
export async function* trackChunksWithBlobs(
  db: AppDB,
  kind: TrackKind,
  sessionId: string,
): AsyncGenerator<{ meta: MediaChunk; blob: Blob }> {
  const table = kind === 'audio' ? db.audioChunks : db.videoChunks;
  const chunks = await table
    .where('[sessionId+chunkIndex]')
    .between([sessionId, Dexie.minKey], [sessionId, Dexie.maxKey])
    .toArray();
  for (const meta of chunks) {
    const row = await db.blobs.get(meta.sha256);
    if (!row) throw new Error(`${kind} chunk ${meta.chunkIndex} has no stored bytes (sha256 ${meta.sha256})`);
    yield { meta, blob: row.blob };
  }
}
