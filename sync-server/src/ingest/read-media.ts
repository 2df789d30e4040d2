import { fail, ok, type Result } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import type { Database, MediaChunkRow, ScreenshotRow } from '../db/schema';
import type { Refusal } from '../refusal';
import { CHUNK_TABLE, type MediaTrack } from './media-rows';
import { decodeChunkCursor, decodeScreenshotCursor, encodeChunkCursor, encodeScreenshotCursor } from './media-cursor';

/**
 * Reading a session's media rows. Only verified media (`uploaded_at` set: the bytes were checked to be
 * in the blob store with the recorded size and hash) is ever read here, so every row points at bytes
 * that can be served.
 */

/** Largest page a media listing returns, whatever the caller asks. */
export const MAX_MEDIA_PAGE = 500;

/** One page of rows and the cursor of the next page (null on the last one). */
export interface MediaPage<Row> {
  rows: Row[];
  nextCursor: string | null;
}

/** Page size and position of a listing. */
export interface MediaPageOptions {
  /** Clamped to 1..MAX_MEDIA_PAGE. */
  limit: number;
  /** `nextCursor` of the previous page; unset: the first page. */
  cursor?: string | undefined;
}

function clampLimit(limit: number): number {
  return Math.min(MAX_MEDIA_PAGE, Math.max(1, Math.floor(limit)));
}

// Must read exactly like the expression of screenshots_session_order_idx, or the index is not used.
const BURST_POSITION = sql<number>`coalesce(burst_index, 0)`;

/**
 * A page of the session's verified screenshots ordered by (timestamp, burst index, id): the order they
 * were taken in, bursts in frame order. Keyset-paginated on the same triple, so each page is one range
 * of screenshots_session_order_idx however deep the listing goes.
 */
export async function listScreenshots(
  db: Kysely<Database>,
  sessionId: string,
  options: MediaPageOptions,
): Promise<Result<MediaPage<ScreenshotRow>, Refusal>> {
  const limit = clampLimit(options.limit);
  const after = options.cursor === undefined ? undefined : decodeScreenshotCursor(options.cursor);
  if (after === null) return fail('bad_request', 'cursor is not a cursor this server issued');
  let query = db
    .selectFrom('screenshots')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('uploaded_at', 'is not', null);
  if (after !== undefined) {
    query = query.where(
      sql<boolean>`(timestamp, ${BURST_POSITION}, id) > (${new Date(after.timestamp)}::timestamptz, ${after.burstIndex}::int, ${after.id}::text)`,
    );
  }
  // One row more than the page tells whether there is a next page.
  const rows = await query
    .orderBy('timestamp')
    .orderBy(BURST_POSITION)
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeScreenshotCursor({ timestamp: last.timestamp.getTime(), burstIndex: last.burst_index ?? 0, id: last.id })
      : null;
  return ok({ rows: page, nextCursor });
}

/** A page of the session's verified chunks of `track`, in chunk order (the order they play in). */
export async function listMediaChunks(
  db: Kysely<Database>,
  track: MediaTrack,
  sessionId: string,
  options: MediaPageOptions,
): Promise<Result<MediaPage<MediaChunkRow>, Refusal>> {
  const limit = clampLimit(options.limit);
  const after = options.cursor === undefined ? undefined : decodeChunkCursor(options.cursor);
  if (after === null) return fail('bad_request', 'cursor is not a cursor this server issued');
  let query = db
    .selectFrom(CHUNK_TABLE[track])
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('uploaded_at', 'is not', null);
  if (after !== undefined) query = query.where('chunk_index', '>', after);
  const rows = await query
    .orderBy('chunk_index')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return ok({ rows: page, nextCursor: rows.length > limit && last ? encodeChunkCursor(last.chunk_index) : null });
}

/** What a concatenated track is, before any byte of it is read. */
export interface TrackExtent {
  /** Verified chunks. */
  chunks: number;
  /** Their total size: the Content-Length of the concatenation. */
  bytes: number;
  /** Highest chunk index counted: a stream stops there, whatever is uploaded meanwhile. */
  lastIndex: number;
  /** The first chunk's type (only it carries the WebM header): the type of the whole. */
  mime: string;
}

/** The extent of the session's verified `track` chunks, or null when there are none. */
export async function trackExtent(
  db: Kysely<Database>,
  track: MediaTrack,
  sessionId: string,
): Promise<TrackExtent | null> {
  const table = CHUNK_TABLE[track];
  const row = await db
    .selectFrom(table)
    .select((eb) => [
      eb.fn.countAll<number>().as('chunks'),
      // sum(bigint) is numeric: read as text by the drivers, hence Number() below.
      eb.fn.sum<string>('bytes').as('bytes'),
      eb.fn.max('chunk_index').as('lastIndex'),
      eb
        .selectFrom(table)
        .select('mime')
        .where('session_id', '=', sessionId)
        .where('uploaded_at', 'is not', null)
        .orderBy('chunk_index')
        .limit(1)
        .as('mime'),
    ])
    .where('session_id', '=', sessionId)
    .where('uploaded_at', 'is not', null)
    .executeTakeFirstOrThrow();
  if (Number(row.chunks) === 0 || row.mime === null || row.lastIndex === null) return null;
  return { chunks: Number(row.chunks), bytes: Number(row.bytes), lastIndex: row.lastIndex, mime: row.mime };
}

/** The blob of one chunk, as a stream of the track reads it. */
export interface ChunkBlob {
  chunk_index: number;
  blob_key: string;
  bytes: number;
}

/** Rows read per round trip while streaming a track: a few KiB of keys, whatever the track's length. */
const CHUNK_BLOB_PAGE = 200;

/** The blobs of the session's verified `track` chunks up to `lastIndex`, in chunk order, a page at a time. */
export async function* iterateChunkBlobs(
  db: Kysely<Database>,
  track: MediaTrack,
  sessionId: string,
  lastIndex: number,
): AsyncGenerator<ChunkBlob, void, undefined> {
  let after = -1;
  for (;;) {
    const page = await db
      .selectFrom(CHUNK_TABLE[track])
      .select(['chunk_index', 'blob_key', 'bytes'])
      .where('session_id', '=', sessionId)
      .where('uploaded_at', 'is not', null)
      .where('chunk_index', '>', after)
      .where('chunk_index', '<=', lastIndex)
      .orderBy('chunk_index')
      .limit(CHUNK_BLOB_PAGE)
      .execute();
    yield* page;
    const last = page.at(-1);
    if (page.length < CHUNK_BLOB_PAGE || !last) return;
    after = last.chunk_index;
  }
}

/**
 * Blob keys of the session's first two verified `track` chunks: enough to tell none (no media), one
 * (the blob is the file) and several (served concatenated).
 */
export async function firstChunkKeys(db: Kysely<Database>, track: MediaTrack, sessionId: string): Promise<string[]> {
  const rows = await db
    .selectFrom(CHUNK_TABLE[track])
    .select('blob_key')
    .where('session_id', '=', sessionId)
    .where('uploaded_at', 'is not', null)
    .orderBy('chunk_index')
    .limit(2)
    .execute();
  return rows.map((r) => r.blob_key);
}

/** What a training annotation needs of a screenshot: which action triggered it, and its place in the burst. */
export interface ScreenshotTrigger {
  id: string;
  triggerSequence: number;
  burstIndex: number | null;
}

/**
 * The session's verified screenshots that an event triggered, three small columns each: ~100 bytes
 * per screenshot, so even thousands fit in memory for the length of one export.
 */
export async function readScreenshotTriggers(db: Kysely<Database>, sessionId: string): Promise<ScreenshotTrigger[]> {
  const rows = await db
    .selectFrom('screenshots')
    .select(['id', 'trigger_sequence', 'burst_index'])
    .where('session_id', '=', sessionId)
    .where('uploaded_at', 'is not', null)
    .where('trigger_sequence', 'is not', null)
    .$narrowType<{ trigger_sequence: number }>()
    .execute();
  return rows.map((r) => ({ id: r.id, triggerSequence: r.trigger_sequence, burstIndex: r.burst_index }));
}
