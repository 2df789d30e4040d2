import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { blobKeyFor, isSha256Hex } from '../blobs/blob-key';
import type { BlobStore } from '../blobs/blob-store';
import { verifyBlob } from '../blobs/verify-blob';
import { storableTextOrNull } from '../db/jsonb';
import type { Database, UploadRow } from '../db/schema';
import { ingestFailure, isIngestFailure, type IngestFailure } from './ingest-error';
import { lockSession } from './session-lock';
import { MAX_SEQUENCE, MAX_TIMESTAMP_MS } from './limits';

/** A blob as the metadata rows reference it. */
export interface BlobRef {
  key: string;
  sha256: string;
  bytes: number;
  mime: string;
}

/** Screenshot metadata to record (the legacy screenshot_data fields, or a ScreenshotSchema row). */
export interface ScreenshotInput {
  /** Client id (ScreenshotSchema); generated when absent (legacy messages have none). */
  id?: string | undefined;
  sessionId: string;
  burstId?: string | undefined;
  burstIndex?: number | undefined;
  burstTotal?: number | undefined;
  trigger?: string | undefined;
  triggerSequence?: number | undefined;
  /** Epoch ms. */
  timestamp: number;
  compressionRatio?: number | undefined;
  width?: number | undefined;
  height?: number | undefined;
  blob: BlobRef;
  /** True when the bytes are already in the store and verified (server-side upload). */
  uploaded: boolean;
}

/** Audio chunk metadata to record (an AudioChunkSchema row). */
export interface AudioChunkInput {
  id?: string | undefined;
  sessionId: string;
  chunkIndex: number;
  /** Epoch ms. */
  startTime: number;
  durationMs: number;
  blob: BlobRef;
  uploaded: boolean;
}

/** A recorded media row: its id, and false when the same screenshot/chunk was recorded before. */
export interface RecordedMedia {
  id: string;
  created: boolean;
}

function checkBlob(blob: BlobRef): IngestFailure | null {
  if (!isSha256Hex(blob.sha256)) return ingestFailure('validation_failed', 'sha256 must be a lower-case hex SHA-256');
  if (!Number.isSafeInteger(blob.bytes) || blob.bytes < 0)
    return ingestFailure('validation_failed', 'bytes must be a byte count');
  return null;
}

function checkInt(name: string, value: number | undefined, max = MAX_SEQUENCE): IngestFailure | null {
  if (value === undefined || (Number.isInteger(value) && value >= 0 && value <= max)) return null;
  return ingestFailure('validation_failed', `${name}: ${value} is out of range`);
}

/**
 * Records a screenshot's metadata, creating the session (owned by `workerId`) when it is new.
 * Idempotent: the same (session, burst, index) or the same id is recorded once, and a repeat
 * returns the first row's id; a repeat with `uploaded` marks the row uploaded if it was not yet.
 */
export async function recordScreenshot(
  db: Kysely<Database>,
  workerId: string,
  shot: ScreenshotInput,
): Promise<RecordedMedia | IngestFailure> {
  const invalid =
    checkBlob(shot.blob) ??
    checkInt('burstIndex', shot.burstIndex) ??
    checkInt('burstTotal', shot.burstTotal) ??
    checkInt('triggerSequence', shot.triggerSequence) ??
    checkInt('width', shot.width !== undefined ? Math.round(shot.width) : undefined) ??
    checkInt('height', shot.height !== undefined ? Math.round(shot.height) : undefined) ??
    checkInt('timestamp', Math.round(shot.timestamp), MAX_TIMESTAMP_MS);
  if (invalid) return invalid;
  const timestamp = new Date(Math.round(shot.timestamp));

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, shot.sessionId, () => ({ start_time: timestamp }));
    if (isIngestFailure(locked)) return locked;
    const id = shot.id ?? randomUUID();
    const inserted = await trx
      .insertInto('screenshots')
      .values({
        id,
        session_id: shot.sessionId,
        burst_id: storableTextOrNull(shot.burstId),
        burst_index: shot.burstIndex ?? null,
        burst_total: shot.burstTotal ?? null,
        trigger: storableTextOrNull(shot.trigger),
        trigger_sequence: shot.triggerSequence ?? null,
        timestamp,
        compression_ratio:
          shot.compressionRatio !== undefined && Number.isFinite(shot.compressionRatio) ? shot.compressionRatio : null,
        blob_key: shot.blob.key,
        sha256: shot.blob.sha256,
        bytes: shot.blob.bytes,
        width: shot.width !== undefined ? Math.round(shot.width) : null,
        height: shot.height !== undefined ? Math.round(shot.height) : null,
        mime: shot.blob.mime,
        uploaded_at: shot.uploaded ? new Date() : null,
      })
      // Any unique key: the id, or (session, burst, index).
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id: inserted.id, created: true };

    let existingQuery = trx.selectFrom('screenshots').select(['id', 'session_id', 'uploaded_at']);
    existingQuery =
      shot.burstId !== undefined && shot.burstIndex !== undefined
        ? existingQuery.where((eb) =>
            eb.or([
              eb('id', '=', id),
              eb.and([
                eb('session_id', '=', shot.sessionId),
                eb('burst_id', '=', shot.burstId!),
                eb('burst_index', '=', shot.burstIndex!),
              ]),
            ]),
          )
        : existingQuery.where('id', '=', id);
    const existing = await existingQuery.executeTakeFirst();
    if (!existing || existing.session_id !== shot.sessionId) {
      return ingestFailure('conflict', `screenshot id ${id} is already used by another session`);
    }
    if (shot.uploaded && existing.uploaded_at === null) {
      await trx
        .updateTable('screenshots')
        .set({ uploaded_at: sql<Date>`now()` })
        .where('id', '=', existing.id)
        .execute();
    }
    return { id: existing.id, created: false };
  });
}

/** Records an audio chunk's metadata; idempotent on (session, chunk index) like recordScreenshot. */
export async function recordAudioChunk(
  db: Kysely<Database>,
  workerId: string,
  chunk: AudioChunkInput,
): Promise<RecordedMedia | IngestFailure> {
  const invalid =
    checkBlob(chunk.blob) ??
    checkInt('chunkIndex', chunk.chunkIndex) ??
    checkInt('durationMs', chunk.durationMs) ??
    checkInt('startTime', chunk.startTime, MAX_TIMESTAMP_MS);
  if (invalid) return invalid;
  const startTime = new Date(chunk.startTime);

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, chunk.sessionId, () => ({ start_time: startTime }));
    if (isIngestFailure(locked)) return locked;
    const id = chunk.id ?? randomUUID();
    const inserted = await trx
      .insertInto('audio_chunks')
      .values({
        id,
        session_id: chunk.sessionId,
        chunk_index: chunk.chunkIndex,
        start_time: startTime,
        duration_ms: chunk.durationMs,
        mime: chunk.blob.mime,
        blob_key: chunk.blob.key,
        sha256: chunk.blob.sha256,
        bytes: chunk.blob.bytes,
        uploaded_at: chunk.uploaded ? new Date() : null,
      })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return { id: inserted.id, created: true };

    const existing = await trx
      .selectFrom('audio_chunks')
      .select(['id', 'session_id', 'uploaded_at'])
      .where((eb) =>
        eb.or([
          eb('id', '=', id),
          eb.and([eb('session_id', '=', chunk.sessionId), eb('chunk_index', '=', chunk.chunkIndex)]),
        ]),
      )
      .executeTakeFirst();
    if (!existing || existing.session_id !== chunk.sessionId) {
      return ingestFailure('conflict', `audio chunk id ${id} is already used by another session`);
    }
    if (chunk.uploaded && existing.uploaded_at === null) {
      await trx
        .updateTable('audio_chunks')
        .set({ uploaded_at: sql<Date>`now()` })
        .where('id', '=', existing.id)
        .execute();
    }
    return { id: existing.id, created: false };
  });
}

/** Records an exported archive of a session whose blob is already stored. */
export async function recordSessionArchive(
  db: Kysely<Database>,
  workerId: string,
  archive: { sessionId: string; kind: string; blob: BlobRef },
): Promise<RecordedMedia | IngestFailure> {
  const invalid = checkBlob(archive.blob);
  if (invalid) return invalid;
  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, archive.sessionId);
    if (isIngestFailure(locked)) return locked;
    const id = randomUUID();
    await trx
      .insertInto('session_archives')
      .values({
        id,
        session_id: archive.sessionId,
        kind: archive.kind,
        blob_key: archive.blob.key,
        sha256: archive.blob.sha256,
        bytes: archive.blob.bytes,
      })
      .execute();
    return { id, created: true };
  });
}

/**
 * Records an upload intent (`POST /api/upload/url`) for bytes with this hash, size and type; the
 * returned row's `blob_key` is the content-addressed key to upload to.
 */
export async function createUploadIntent(
  db: Kysely<Database>,
  workerId: string,
  blob: { sha256: string; bytes: number; mime: string },
): Promise<UploadRow | IngestFailure> {
  const invalid = checkBlob({ ...blob, key: '' });
  if (invalid) return invalid;
  return db
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
}

/**
 * Completes an upload (`POST /api/upload/complete`): verifies the stored object against the intent's
 * size and SHA-256, then marks the intent completed and every screenshot / audio chunk pointing at
 * that blob uploaded. A mismatching object is deleted so the client can upload again. Repeating a
 * successful completion is harmless. Another worker's upload is `not_found`.
 */
export async function completeUpload(
  db: Kysely<Database>,
  store: BlobStore,
  workerId: string,
  uploadId: string,
): Promise<UploadRow | IngestFailure> {
  const upload = await db
    .selectFrom('uploads')
    .selectAll()
    .where('id', '=', uploadId)
    .where('worker_id', '=', workerId)
    .executeTakeFirst();
  if (!upload) return ingestFailure('not_found', `no upload ${uploadId}`);
  const verified = await verifyBlob(store, upload.blob_key, { bytes: upload.bytes, sha256: upload.sha256 });
  if (!verified.ok) {
    // The key is derived from the promised hash, so other bytes under it are wrong for everyone.
    // Removing them lets the client upload again; put() would otherwise skip a same-size object.
    if (verified.reason !== 'missing') await store.delete(upload.blob_key);
    return ingestFailure('validation_failed', verified.message);
  }

  return db.transaction().execute(async (trx) => {
    const completed = await trx
      .updateTable('uploads')
      .set({ completed_at: sql<Date>`coalesce(completed_at, now())` })
      .where('id', '=', uploadId)
      .returningAll()
      .executeTakeFirstOrThrow();
    for (const table of ['screenshots', 'audio_chunks'] as const) {
      await trx
        .updateTable(table)
        .set({ uploaded_at: sql<Date>`now()` })
        .where('blob_key', '=', upload.blob_key)
        .where('uploaded_at', 'is', null)
        .execute();
    }
    return completed;
  });
}
