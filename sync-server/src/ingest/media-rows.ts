import { randomUUID } from 'node:crypto';
import { err, fail, ok, type Result } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import { storableTextOrNull } from '../db/jsonb';
import type { Database } from '../db/schema';
import { refusal, type Refusal } from '../refusal';
import { blobProblem, type BlobRef } from './blob-ref';
import { MAX_SEQUENCE, MAX_TIMESTAMP_MS } from './limits';
import { lockSession } from './session-lock';

/**
 * The metadata rows of media (screenshots, audio chunks) whose bytes are in the blob store.
 */

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

/** Why an optional whole number is out of 0..max, or undefined when it is absent or in range. */
function intProblem(name: string, value: number | undefined, max = MAX_SEQUENCE): Refusal | undefined {
  if (value === undefined || (Number.isInteger(value) && value >= 0 && value <= max)) return undefined;
  return refusal('validation_failed', `${name}: ${value} is out of range`);
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
): Promise<Result<RecordedMedia, Refusal>> {
  const problem =
    blobProblem(shot.blob) ??
    intProblem('burstIndex', shot.burstIndex) ??
    intProblem('burstTotal', shot.burstTotal) ??
    intProblem('triggerSequence', shot.triggerSequence) ??
    intProblem('width', shot.width !== undefined ? Math.round(shot.width) : undefined) ??
    intProblem('height', shot.height !== undefined ? Math.round(shot.height) : undefined) ??
    intProblem('timestamp', Math.round(shot.timestamp), MAX_TIMESTAMP_MS);
  if (problem) return err(problem);
  const timestamp = new Date(Math.round(shot.timestamp));

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, shot.sessionId, () => ({ start_time: timestamp }));
    if (!locked.ok) return locked;
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
    if (inserted) return ok({ id: inserted.id, created: true });

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
      return fail('conflict', `screenshot id ${id} is already used by another session`);
    }
    if (shot.uploaded && existing.uploaded_at === null) {
      await trx
        .updateTable('screenshots')
        .set({ uploaded_at: sql<Date>`now()` })
        .where('id', '=', existing.id)
        .execute();
    }
    return ok({ id: existing.id, created: false });
  });
}

/** Records an audio chunk's metadata; idempotent on (session, chunk index) like recordScreenshot. */
export async function recordAudioChunk(
  db: Kysely<Database>,
  workerId: string,
  chunk: AudioChunkInput,
): Promise<Result<RecordedMedia, Refusal>> {
  const problem =
    blobProblem(chunk.blob) ??
    intProblem('chunkIndex', chunk.chunkIndex) ??
    intProblem('durationMs', chunk.durationMs) ??
    intProblem('startTime', chunk.startTime, MAX_TIMESTAMP_MS);
  if (problem) return err(problem);
  const startTime = new Date(chunk.startTime);

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, chunk.sessionId, () => ({ start_time: startTime }));
    if (!locked.ok) return locked;
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
    if (inserted) return ok({ id: inserted.id, created: true });

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
      return fail('conflict', `audio chunk id ${id} is already used by another session`);
    }
    if (chunk.uploaded && existing.uploaded_at === null) {
      await trx
        .updateTable('audio_chunks')
        .set({ uploaded_at: sql<Date>`now()` })
        .where('id', '=', existing.id)
        .execute();
    }
    return ok({ id: existing.id, created: false });
  });
}
