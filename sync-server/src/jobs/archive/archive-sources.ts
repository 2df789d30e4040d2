import type { RecordedEvent } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import type { BlobStore } from '../../blobs/blob-store';
import type { Database, MediaChunkRow, ScreenshotRow } from '../../db/schema';
import { MAX_EVENT_PAGE, readSessionEvents } from '../../ingest/read-events';
import { listMediaChunks, listScreenshots, MAX_MEDIA_PAGE } from '../../ingest/read-media';
import type { ArchiveTrack } from './build-session-archive';

/** What a session holds, counted before an archive of it is started. */
export interface ArchiveContent {
  events: number;
  screenshots: number;
  audioChunks: number;
  videoChunks: number;
  /** Bytes of every verified medium together. */
  mediaBytes: number;
}

/** Counts the session's events and verified media, with the media's total size. */
export async function countArchiveContent(db: Kysely<Database>, sessionId: string): Promise<ArchiveContent> {
  const media = (table: 'screenshots' | 'audio_chunks' | 'video_chunks') =>
    db
      .selectFrom(table)
      .select([sql<number>`count(*)::int`.as('n'), sql<string>`coalesce(sum(bytes), 0)::text`.as('bytes')])
      .where('session_id', '=', sessionId)
      .where('uploaded_at', 'is not', null)
      .executeTakeFirstOrThrow();
  const [events, screenshots, audio, video] = await Promise.all([
    db
      .selectFrom('interactions')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow(),
    media('screenshots'),
    media('audio_chunks'),
    media('video_chunks'),
  ]);
  return {
    events: Number(events.n),
    screenshots: Number(screenshots.n),
    audioChunks: Number(audio.n),
    videoChunks: Number(video.n),
    mediaBytes: Number(screenshots.bytes) + Number(audio.bytes) + Number(video.bytes),
  };
}

/** The session's events in sequence order, a storage page at a time, up to `upTo` when given. */
export async function* sessionEvents(
  db: Kysely<Database>,
  sessionId: string,
  upTo?: number,
): AsyncGenerator<RecordedEvent, void, undefined> {
  let after = 0;
  for (;;) {
    const page = await readSessionEvents(db, sessionId, { afterSequence: after });
    for (const event of page) {
      if (upTo !== undefined && event.sequence > upTo) return;
      yield event;
    }
    const last = page.at(-1);
    if (page.length < MAX_EVENT_PAGE || !last) return;
    after = last.sequence;
  }
}

/** The session's verified screenshots in the order taken, a page at a time. */
export async function* sessionScreenshots(
  db: Kysely<Database>,
  sessionId: string,
): AsyncGenerator<ScreenshotRow, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await listScreenshots(db, sessionId, { limit: MAX_MEDIA_PAGE, cursor });
    if (!page.ok) throw new Error(page.error.message);
    yield* page.value.rows;
    cursor = page.value.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** The session's verified chunks of `track` in chunk order, a page at a time. */
export async function* sessionChunks(
  db: Kysely<Database>,
  track: ArchiveTrack,
  sessionId: string,
): AsyncGenerator<MediaChunkRow, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await listMediaChunks(db, track, sessionId, { limit: MAX_MEDIA_PAGE, cursor });
    if (!page.ok) throw new Error(page.error.message);
    yield* page.value.rows;
    cursor = page.value.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** A blob's bytes in pieces: streamed when the store can, else read whole (media blobs are small). */
export async function* blobPieces(blobs: BlobStore, key: string): AsyncGenerator<Uint8Array, void, undefined> {
  if (blobs.getStream) {
    const streamed = await blobs.getStream(key);
    if (!streamed) throw new Error(`blob ${key} is missing from the store`);
    const reader = streamed.stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
      await streamed.stream.cancel().catch(() => {});
    }
  }
  const bytes = await blobs.get(key);
  if (!bytes) throw new Error(`blob ${key} is missing from the store`);
  yield bytes;
}
