import type { Kysely } from 'kysely';
import type { Database, ScreenshotRow } from '../../db/schema';
import type { Thumbnail } from './make-thumbnail';

/** A verified screenshot still without a thumbnail row (neither made nor refused). */
export type PendingShot = Pick<ScreenshotRow, 'id' | 'blob_key' | 'bytes' | 'width' | 'height'>;

/** Verified screenshots of the session without a thumbnail row, in the order taken, at most `limit`. */
export function pendingShots(db: Kysely<Database>, sessionId: string, limit: number): Promise<PendingShot[]> {
  return db
    .selectFrom('screenshots as s')
    .leftJoin('screenshot_thumbnails as t', 't.screenshot_id', 's.id')
    .select(['s.id', 's.blob_key', 's.bytes', 's.width', 's.height'])
    .where('s.session_id', '=', sessionId)
    .where('s.uploaded_at', 'is not', null)
    .where('t.screenshot_id', 'is', null)
    .orderBy('s.timestamp')
    .orderBy('s.id')
    .limit(limit)
    .execute()
    .then((rows) => rows.map((r) => ({ ...r, bytes: Number(r.bytes) })));
}

/** How many verified screenshots of the session have no thumbnail row: the job's denominator. */
export async function countPendingShots(db: Kysely<Database>, sessionId: string): Promise<number> {
  const row = await db
    .selectFrom('screenshots as s')
    .leftJoin('screenshot_thumbnails as t', 't.screenshot_id', 's.id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('s.session_id', '=', sessionId)
    .where('s.uploaded_at', 'is not', null)
    .where('t.screenshot_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Records a made thumbnail (stored under `blobKey`) or why there is none. First one wins: a row that
 * is already there (another attempt got there first) is kept, and the thumbnail's blob is
 * content-addressed, so writing it twice stored the same bytes.
 */
export async function recordThumbnail(
  db: Kysely<Database>,
  screenshotId: string,
  outcome: { made: Thumbnail; blobKey: string } | { problem: string },
): Promise<void> {
  const values =
    'made' in outcome
      ? {
          blob_key: outcome.blobKey,
          mime: outcome.made.mime,
          bytes: outcome.made.bytes.byteLength,
          width: outcome.made.width,
          height: outcome.made.height,
          problem: null,
        }
      : { blob_key: null, mime: null, bytes: null, width: null, height: null, problem: outcome.problem.slice(0, 500) };
  await db
    .insertInto('screenshot_thumbnails')
    .values({ screenshot_id: screenshotId, ...values })
    .onConflict((oc) => oc.column('screenshot_id').doNothing())
    .execute();
}

/** A screenshot's thumbnail: made (where), refused (no thumbnail will come), or not made yet. */
export type ThumbnailState = { made: { blobKey: string; mime: string } } | { refused: true } | { pending: true };

/** Where the screenshot's thumbnail is, or why there is none. */
export async function thumbnailOf(db: Kysely<Database>, screenshotId: string): Promise<ThumbnailState> {
  const row = await db
    .selectFrom('screenshot_thumbnails')
    .select(['blob_key', 'mime'])
    .where('screenshot_id', '=', screenshotId)
    .executeTakeFirst();
  if (!row) return { pending: true };
  return row.blob_key && row.mime ? { made: { blobKey: row.blob_key, mime: row.mime } } : { refused: true };
}
