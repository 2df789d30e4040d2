import { err, ok, type Result } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { blobKeyFor } from '../blobs/blob-key';
import type { Database, UploadRow } from '../db/schema';
import type { Refusal } from '../refusal';
import { blobProblem } from './blob-ref';

/**
 * Upload intents (the `uploads` table): what a worker announced it will upload, so the steps of an
 * upload (announce, PUT, complete) may reach different instances.
 */

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

/** The upload intent `id` if it was created less than `maxAgeS` seconds ago (database clock), else undefined. */
export async function findLiveUploadIntent(
  db: Kysely<Database>,
  id: string,
  maxAgeS: number,
): Promise<UploadRow | undefined> {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('id', '=', id)
    .where('created_at', '>', sql<Date>`now() - ${maxAgeS} * interval '1 second'`)
    .executeTakeFirst();
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
