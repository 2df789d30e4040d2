import type { Clock } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import { stagingKeyFor } from '../blobs/blob-key';
import type { BlobStore } from '../blobs/blob-store';
import type { Database } from '../db/schema';
import type { Logger } from '../log';
import { repeatEvery, type RepeatingTask } from '../timers';
import { UPLOAD_INTENT_LIFETIME_S } from './upload-intents';

/**
 * Upload intents no longer completable are deleted with the bytes staged for them: uploads never
 * completed (abandoned, or refused at completion after the bytes landed) would otherwise keep
 * unverified objects in the store for ever. Completed ones go too; their staged object is normally
 * gone already, but a presigned URL may have been used again before it expired.
 */

/**
 * Intents swept per run at most, whatever the backlog: each costs one object delete (a request on
 * S3), so a run stays a few seconds. 2000 a minute (the default UPLOAD_SWEEP_MS) keeps up with ~33
 * uploads a second; sweep more often for more.
 */
export const UPLOAD_SWEEP_BATCH = 2000;

/** Object deletes in flight at once: enough to hide S3's per-request latency, few enough to be polite. */
const DELETE_CONCURRENCY = 16;

/** What a sweep did. */
export interface UploadSweepResult {
  /** Intents deleted, with their staged objects. */
  swept: number;
  /** Intents kept because their staged object could not be deleted (tried again next run). */
  failed: number;
}

/** Options of {@link sweepExpiredUploads}. */
export interface SweepExpiredUploadsOptions {
  /** Age (database clock) after which an intent is swept; default: {@link UPLOAD_INTENT_LIFETIME_S}. */
  olderThanS?: number;
  /** At most this many intents, oldest first; default {@link UPLOAD_SWEEP_BATCH}. */
  limit?: number;
}

/**
 * Deletes up to `limit` upload intents older than `olderThanS`, oldest first, each after the object
 * at its staging key (no error when there is none). An intent whose object could not be deleted is
 * kept, so a failed delete is retried by the next run rather than leaving an object nobody tracks.
 */
export async function sweepExpiredUploads(
  db: Kysely<Database>,
  blobs: BlobStore,
  options: SweepExpiredUploadsOptions = {},
): Promise<UploadSweepResult> {
  const olderThanS = options.olderThanS ?? UPLOAD_INTENT_LIFETIME_S;
  const limit = options.limit ?? UPLOAD_SWEEP_BATCH;
  const expired = await db
    .selectFrom('uploads')
    .select('id')
    .where('created_at', '<', sql<Date>`now() - ${Math.max(0, olderThanS)} * interval '1 second'`)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  const deleted: string[] = [];
  let failed = 0;
  for (let at = 0; at < expired.length; at += DELETE_CONCURRENCY) {
    const batch = expired.slice(at, at + DELETE_CONCURRENCY);
    const results = await Promise.allSettled(batch.map(({ id }) => blobs.delete(stagingKeyFor(id))));
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') deleted.push(batch[i]!.id);
      else failed += 1;
    });
  }
  if (deleted.length > 0) await db.deleteFrom('uploads').where('id', 'in', deleted).execute();
  return { swept: deleted.length, failed };
}

/** What {@link startUploadSweep} runs on. */
export interface UploadSweepOptions {
  db: Kysely<Database>;
  blobs: BlobStore;
  clock: Clock;
  /** How often the sweep runs (UPLOAD_SWEEP_MS). */
  everyMs: number;
  logger: Logger;
}

/**
 * Runs {@link sweepExpiredUploads} every `everyMs`. A failed sweep is logged and tried again next
 * turn; `stop()` waits for a sweep in progress, so the database can close.
 */
export function startUploadSweep(options: UploadSweepOptions): RepeatingTask {
  const { db, blobs, clock, everyMs, logger } = options;
  return repeatEvery(clock, everyMs, async () => {
    try {
      const { swept, failed } = await sweepExpiredUploads(db, blobs);
      if (swept > 0) logger.info('uploads_swept', { swept });
      if (failed > 0) logger.warn('upload_sweep_deletes_failed', { failed });
    } catch (err) {
      logger.error('upload_sweep_failed', { error: err });
    }
  });
}
