import { err, ok, type Result } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { blobKeyFor } from '../blobs/blob-key';
import { UPLOAD_URL_EXPIRY_S } from '../blobs/s3-blob-store';
import type { Database, UploadRow } from '../db/schema';
import type { Refusal } from '../refusal';
import { blobProblem } from './blob-ref';

/**
 * Upload intents (the `uploads` table): what a worker announced it will upload, so the steps of an
 * upload (announce, PUT, complete) may reach different instances. The bytes of an intent are put at
 * its staging key (`stagingKeyFor(id)`) until completion verifies and promotes them.
 */

/**
 * Time after its URL expired that an intent may still be completed: a PUT begun just before expiry
 * may take minutes (the extension allows 1 s per 64 KiB on top of its request timeout: ~5 min for
 * 16 MiB). After URL life plus this, the sweep deletes the intent and its staged bytes.
 */
export const UPLOAD_COMPLETE_GRACE_S = 15 * 60;

/** Age after which an intent can no longer be completed, and is swept with its staged bytes. */
export const UPLOAD_INTENT_LIFETIME_S = UPLOAD_URL_EXPIRY_S + UPLOAD_COMPLETE_GRACE_S;

/** `created_at` later than `maxAgeS` seconds ago, on the database clock (the clock that stamped it). */
const youngerThan = (maxAgeS: number) => sql<Date>`now() - ${maxAgeS} * interval '1 second'`;

/**
 * Records an upload intent (`POST /api/upload/url`) for bytes with this hash, size and type; the
 * returned row's `blob_key` is the content-addressed key to upload to.
 */
export async function createUploadIntent(
  db: Kysely<Database>,
  workerId: string,
  blob: { sha256: string; bytes: number; mime: string },
): Promise<Result<UploadRow, Refusal>> {
  const problem = blobProblem(blob);
  if (problem) return err(problem);
  const row = await db
    .insertInto('uploads')
    .values({
      id: randomUUID(),
      worker_id: workerId,
      sha256: blob.sha256,
      bytes: blob.bytes,
      mime: blob.mime,
      blob_key: blobKeyFor(blob.sha256, blob.mime),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return ok(row);
}

/**
 * The open upload intent `id` if it was created less than `maxAgeS` seconds ago (database clock),
 * else undefined: the bytes of a completed intent were promoted, and nothing more goes to it.
 */
export async function findLiveUploadIntent(
  db: Kysely<Database>,
  id: string,
  maxAgeS: number,
): Promise<UploadRow | undefined> {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('id', '=', id)
    .where('completed_at', 'is', null)
    .where('created_at', '>', youngerThan(maxAgeS))
    .executeTakeFirst();
}

/**
 * The worker's open intent to upload `bytes` bytes under `blobKey` that a completion refers to:
 * `uploadId` when given, else the latest one. Only the worker's own, and only while it may be
 * completed ({@link UPLOAD_INTENT_LIFETIME_S}); undefined otherwise.
 */
export async function findOpenUploadIntent(
  db: Kysely<Database>,
  workerId: string,
  upload: { uploadId?: string | undefined; blobKey: string; bytes: number },
): Promise<UploadRow | undefined> {
  let query = db
    .selectFrom('uploads')
    .selectAll()
    .where('worker_id', '=', workerId)
    .where('blob_key', '=', upload.blobKey)
    .where('bytes', '=', upload.bytes)
    .where('completed_at', 'is', null)
    .where('created_at', '>', youngerThan(UPLOAD_INTENT_LIFETIME_S));
  if (upload.uploadId !== undefined) query = query.where('id', '=', upload.uploadId);
  return query.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

/** Tables of uploaded media, each with a `blob_key` index. */
const MEDIA_TABLES = ['screenshots', 'audio_chunks', 'video_chunks'] as const;

/**
 * True when a verified screenshot or chunk of one of the worker's own sessions is these bytes
 * (`blobKey` with this size and hash): the worker proved it holds them, so it need not send them
 * again. Deduplication is scoped to the worker: knowing a hash is never enough to attach another
 * worker's bytes, nor to learn whether the server has them.
 */
export async function workerHoldsVerifiedBlob(
  db: Kysely<Database>,
  workerId: string,
  blob: { key: string; sha256: string; bytes: number },
): Promise<boolean> {
  for (const table of MEDIA_TABLES) {
    // From the table's blob_key index, then the owning session.
    const row = await db
      .selectFrom(table)
      .innerJoin('sessions', 'sessions.id', `${table}.session_id`)
      .select('sessions.id')
      .where(`${table}.blob_key`, '=', blob.key)
      .where(`${table}.sha256`, '=', blob.sha256)
      .where(`${table}.bytes`, '=', blob.bytes)
      .where(`${table}.uploaded_at`, 'is not', null)
      .where('sessions.worker_id', '=', workerId)
      .limit(1)
      .executeTakeFirst();
    if (row) return true;
  }
  return false;
}

/** Marks the worker's open intents for `blobKey` completed, once the stored object was verified. */
export async function completeUploadIntents(db: Kysely<Database>, workerId: string, blobKey: string): Promise<void> {
  await db
    .updateTable('uploads')
    .set({ completed_at: new Date() })
    .where('worker_id', '=', workerId)
    .where('blob_key', '=', blobKey)
    .where('completed_at', 'is', null)
    .execute();
}
