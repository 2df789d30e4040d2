import { createHash } from 'node:crypto';
import { ok, SessionIdSchema } from '@codesight/schema';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { blobKeyFor } from '../../blobs/blob-key';
import type { BlobStore } from '../../blobs/blob-store';
import type { Database } from '../../db/schema';
import { blobPieces } from '../archive/archive-sources';
import { DEFAULT_BACKOFF } from '../backoff';
import { defineJobKind, type JobKind } from '../job-kind';
import { declaredFrameProblem, makeThumbnail } from './make-thumbnail';
import { SCREENSHOT_THUMBNAILS_KIND } from './request-thumbnails';
import { countPendingShots, pendingShots, recordThumbnail, type PendingShot } from './thumbnail-records';

/** Its payload: which session. */
export const ScreenshotThumbnailsPayloadSchema = v.object({ sessionId: SessionIdSchema });

/** Frames read per query: a page is a few seconds of decoding at most. */
const PAGE = 20;
/**
 * A session holds at most MAX_SCREENSHOTS_PER_SESSION frames; at ~50-150 ms each (a 2560x1600 PNG
 * here) the default 2,000 take a few minutes. Ten leaves a loaded machine room.
 */
const THUMBNAILS_TIMEOUT_MS = 10 * 60_000;

/** What the thumbnail job works with. */
export interface ScreenshotThumbnailsDeps {
  db: Kysely<Database>;
  blobs: BlobStore;
  /** MAX_SCREENSHOTS_PER_SESSION: no run handles more frames than a session may hold. */
  maxScreenshotsPerSession: number;
}

/** What a run did, as the job's result. */
export interface ThumbnailsResult {
  made: number;
  refused: number;
  /** Bytes of the frames thumbnailed, and of their thumbnails. */
  sourceBytes: number;
  thumbnailBytes: number;
}

/**
 * The `screenshot-thumbnails` job: a WebP thumbnail ({@link makeThumbnail}) of every verified screenshot
 * of the session that has no thumbnail row yet, stored content-addressed in the blob store and recorded
 * in `screenshot_thumbnails`. Resumable by construction: a frame is done once its row exists, so a
 * retried or repeated run starts where the last one stopped, and it reads again until no frame is left
 * (frames verified while it runs included). A frame past the bounds (size, pixels) or that does not
 * decode gets a row saying why, and is not tried again (so does one whose blob is gone); any other
 * blob store error fails the attempt, which is retried.
 */
export function screenshotThumbnailsJob(deps: ScreenshotThumbnailsDeps): JobKind {
  const { db, blobs } = deps;
  return defineJobKind({
    kind: SCREENSHOT_THUMBNAILS_KIND,
    payload: ScreenshotThumbnailsPayloadSchema,
    timeoutMs: THUMBNAILS_TIMEOUT_MS,
    maxAttempts: 3,
    backoff: DEFAULT_BACKOFF,
    // One job per recording session and minute of screenshots; the thumbnails are the record.
    keepFinishedMs: 7 * 24 * 60 * 60 * 1000,
    async run({ sessionId }, context) {
      const result: ThumbnailsResult = { made: 0, refused: 0, sourceBytes: 0, thumbnailBytes: 0 };
      const total = Math.max(1, await countPendingShots(db, sessionId));
      // Every frame handled gets its row, so each page is new frames; the bound is a guard, not a limit hit.
      for (let handled = 0; handled <= deps.maxScreenshotsPerSession;) {
        const page = await pendingShots(db, sessionId, PAGE);
        if (page.length === 0) break;
        for (const shot of page) {
          context.signal.throwIfAborted();
          await thumbnailOne(shot, result);
          handled++;
          context.reportProgress(Math.min(0.99, handled / total));
        }
      }
      return ok(result);
    },
  });

  async function thumbnailOne(shot: PendingShot, result: ThumbnailsResult) {
    const declared = declaredFrameProblem(shot);
    if (declared) {
      result.refused++;
      await recordThumbnail(db, shot.id, { problem: `${declared.code}: ${declared.message}` });
      return;
    }
    // Gone for good is a frame's problem; any other store error fails the attempt, which is retried.
    if (!(await blobs.head(shot.blob_key))) {
      result.refused++;
      await recordThumbnail(db, shot.id, { problem: 'missing: the frame is not in the blob store' });
      return;
    }
    const source = await readBounded(blobs, shot.blob_key, shot.bytes);
    const made = await makeThumbnail(source);
    if (!made.ok) {
      result.refused++;
      await recordThumbnail(db, shot.id, { problem: `${made.error.code}: ${made.error.message}` });
      return;
    }
    const sha256 = createHash('sha256').update(made.value.bytes).digest('hex');
    const blobKey = blobKeyFor(sha256, made.value.mime);
    await blobs.put(blobKey, made.value.bytes, made.value.mime);
    await recordThumbnail(db, shot.id, { made: made.value, blobKey });
    result.made++;
    result.sourceBytes += source.byteLength;
    result.thumbnailBytes += made.value.bytes.byteLength;
  }
}

/** The blob's bytes, refusing (throwing) past `bytes`: the row's verified size is what may be read. */
async function readBounded(blobs: BlobStore, key: string, bytes: number): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let read = 0;
  for await (const piece of blobPieces(blobs, key)) {
    read += piece.byteLength;
    if (read > bytes) throw new Error(`blob ${key} is larger than its recorded ${bytes} bytes`);
    pieces.push(piece);
  }
  return Buffer.concat(pieces, read);
}
