import type { Context } from 'hono';
import { mimeForBlobKey } from '../blobs/blob-key';
import { NO_SNIFF } from '../blobs/servable-type';
import type { AppEnv } from '../http/app-env';
import { errorResponse } from '../http/errors';
import { thumbnailOf } from '../jobs/thumbnails/thumbnail-records';
import type { RouteDeps } from './route-deps';

/** Client screenshot ids are at most 64 characters (ScreenshotUploadMetaSchema). */
export const MAX_SCREENSHOT_ID = 64;
const NO_SUCH_SCREENSHOT = 'no such screenshot';
/** Content-addressed blobs never change under their key. */
const IMMUTABLE = 'private, max-age=31536000, immutable';
/** A full frame standing in for a thumbnail not made yet: the next look must ask again. */
const NOT_YET = 'private, no-cache';

/** Which image of a screenshot the console asks for: `?size=thumb`, or the full frame (no size, `full`). */
export type ScreenshotSize = 'full' | 'thumb';

/** The `size` query parameter, or undefined when it is neither `full` nor `thumb`. */
export function screenshotSizeOf(value: string | undefined): ScreenshotSize | undefined {
  if (value === undefined || value === 'full') return 'full';
  return value === 'thumb' ? 'thumb' : undefined;
}

/**
 * Answers `GET /admin/console/sessions/:id/screenshots/:shotId[?size=thumb]` for a session the caller
 * may read: the verified frame, or its thumbnail. While the thumbnail is not made yet the full frame
 * stands in (`X-Thumbnail: pending`, not cached) and the session's thumbnail job is asked to run now;
 * a frame refused a thumbnail (too large, undecodable) is answered with the frame (`X-Thumbnail: none`).
 */
export async function serveConsoleScreenshot(
  c: Context<AppEnv>,
  deps: RouteDeps,
  sessionId: string,
  shotId: string,
  size: ScreenshotSize,
): Promise<Response> {
  if (shotId.length > MAX_SCREENSHOT_ID) return errorResponse(c, 'not_found', NO_SUCH_SCREENSHOT);
  const row = await deps.db
    .selectFrom('screenshots')
    .select(['id', 'blob_key'])
    .where('session_id', '=', sessionId)
    .where('id', '=', shotId)
    .where('uploaded_at', 'is not', null)
    .executeTakeFirst();
  if (!row) return errorResponse(c, 'not_found', NO_SUCH_SCREENSHOT);
  if (size === 'full') return (await blobResponse(deps, row.blob_key, { 'Cache-Control': IMMUTABLE })) ?? gone(c);

  const thumb = await thumbnailOf(deps.db, row.id);
  if ('made' in thumb) {
    const headers = { 'Content-Type': thumb.made.mime, 'Cache-Control': IMMUTABLE, 'X-Thumbnail': 'made' };
    const served = await blobResponse(deps, thumb.made.blobKey, headers);
    if (served) return served;
  } else if ('pending' in thumb) {
    await deps.thumbnails.now(sessionId);
  }
  const state = 'refused' in thumb ? 'none' : 'pending';
  return (await blobResponse(deps, row.blob_key, { 'Cache-Control': NOT_YET, 'X-Thumbnail': state })) ?? gone(c);
}

const gone = (c: Context<AppEnv>) => errorResponse(c, 'not_found', NO_SUCH_SCREENSHOT);

/** The blob streamed when the store can, else whole; undefined when the store does not have it. */
async function blobResponse(
  deps: RouteDeps,
  key: string,
  extra: Record<string, string>,
): Promise<Response | undefined> {
  const headers = { 'Content-Type': mimeForBlobKey(key), ...NO_SNIFF, ...extra };
  if (deps.blobs.getStream) {
    const streamed = await deps.blobs.getStream(key);
    if (!streamed) return undefined;
    return new Response(streamed.stream, { headers: { ...headers, 'Content-Length': String(streamed.bytes) } });
  }
  const bytes = await deps.blobs.get(key);
  return bytes ? new Response(bytes, { headers }) : undefined;
}
