import type { Context } from 'hono';
import * as v from 'valibot';
import type { BlobStore } from '../blobs/blob-store';
import { NO_SNIFF, servableTrackType } from '../blobs/servable-type';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { publicBaseUrl } from '../http/public-url';
import { readValidQuery } from '../http/read-body';
import { streamBytesResponse } from '../http/stream-response';
import type { MediaTrack } from '../ingest/media-rows';
import {
  iterateChunkBlobs,
  listMediaChunks,
  listScreenshots,
  trackExtent,
  type TrackExtent,
} from '../ingest/read-media';
import { toMediaChunkView, toScreenshotView } from './media-views';
import { PageCursorSchema, PageLimitSchema } from './pagination';
import type { RouteDeps } from './route-deps';
import { sessionFor } from './session-access';

/**
 * A session's media, for its owner or an admin (the access rule of every `/api/extension/sessions/:id`
 * route): listings of its screenshots and chunks, and each track's chunks served as one file. Only
 * verified media is served: rows whose bytes were checked to be in the blob store.
 */

/** `?limit=&cursor=` of the media listings. */
const MediaPageQuerySchema = v.object({ limit: PageLimitSchema, cursor: PageCursorSchema });

type Handler = (c: Context<AppEnv>) => Promise<Response>;

/** `GET …/sessions/:id/screenshots`: a page of the session's screenshots, in the order they were taken. */
export function listScreenshotsHandler(deps: RouteDeps): Handler {
  return async (c) => {
    // The query first: a bad one is refused without a database read.
    const query = readValidQuery(c, MediaPageQuerySchema);
    if (!query.ok) return refusalResponse(c, query.error);
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id') ?? '');
    if (!found.ok) return refusalResponse(c, found.error);
    const page = await listScreenshots(deps.db, found.value.id, query.value);
    if (!page.ok) return refusalResponse(c, page.error);
    const baseUrl = publicBaseUrl(c, deps.settings);
    return c.json({
      screenshots: page.value.rows.map((row) => toScreenshotView(row, deps.blobs, baseUrl)),
      nextCursor: page.value.nextCursor,
    });
  };
}

/** `GET …/sessions/:id/audio-chunks` and `/video-chunks`: a page of the track's chunks, in chunk order. */
export function listChunksHandler(deps: RouteDeps, track: MediaTrack): Handler {
  return async (c) => {
    // The query first: a bad one is refused without a database read.
    const query = readValidQuery(c, MediaPageQuerySchema);
    if (!query.ok) return refusalResponse(c, query.error);
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id') ?? '');
    if (!found.ok) return refusalResponse(c, found.error);
    const page = await listMediaChunks(deps.db, track, found.value.id, query.value);
    if (!page.ok) return refusalResponse(c, page.error);
    const baseUrl = publicBaseUrl(c, deps.settings);
    return c.json({
      chunks: page.value.rows.map((row) => toMediaChunkView(row, deps.blobs, baseUrl)),
      nextCursor: page.value.nextCursor,
    });
  };
}

/**
 * `GET …/sessions/:id/audio` and `/video`: the track's chunks concatenated in chunk order, which is
 * one playable WebM (MediaRecorder timeslices: only the first carries the header). 404 without any.
 * The type is the first chunk's if it is a known audio/video type, else application/octet-stream.
 */
export function streamTrackHandler(deps: RouteDeps, track: MediaTrack): Handler {
  return async (c) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id') ?? '');
    if (!found.ok) return refusalResponse(c, found.error);
    const sessionId = found.value.id;
    const extent = await trackExtent(deps.db, track, sessionId);
    if (!extent) return errorResponse(c, 'not_found', `session ${sessionId} has no ${track}`);
    return streamBytesResponse(trackBytes(deps, track, sessionId, extent), deps.logger, `${track} ${sessionId}`, {
      'Content-Type': servableTrackType(extent.mime),
      'Content-Length': String(extent.bytes),
      ...NO_SNIFF,
    });
  };
}

/**
 * The bytes of the track's chunks as measured by `extent`, one blob at a time (streamed from the store
 * when it can, so a large video chunk is never held whole). Throws rather than send a body that
 * disagrees with the Content-Length already sent: a missing blob, or a chunk with a lower index
 * verified while the stream runs (it would not fit).
 */
async function* trackBytes(
  deps: RouteDeps,
  track: MediaTrack,
  sessionId: string,
  extent: TrackExtent,
): AsyncGenerator<Uint8Array, void, undefined> {
  let sent = 0;
  for await (const chunk of iterateChunkBlobs(deps.db, track, sessionId, extent.lastIndex)) {
    sent += Number(chunk.bytes);
    if (sent > extent.bytes) throw new Error(`${track} of ${sessionId} grew while it was being sent`);
    yield* blobBytes(deps.blobs, chunk.blob_key);
  }
  if (sent !== extent.bytes) throw new Error(`${track} of ${sessionId} changed while it was being sent`);
}

async function* blobBytes(blobs: BlobStore, key: string): AsyncGenerator<Uint8Array, void, undefined> {
  if (blobs.getStream) {
    const streamed = await blobs.getStream(key);
    if (!streamed) throw new Error(`blob ${key} is missing`);
    for await (const piece of streamed.stream) yield piece;
    return;
  }
  const bytes = await blobs.get(key);
  if (!bytes) throw new Error(`blob ${key} is missing`);
  yield bytes;
}
