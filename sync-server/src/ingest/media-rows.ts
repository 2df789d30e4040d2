import { randomUUID } from 'node:crypto';
import { err, fail, ok, type Result } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import { storableTextOrNull } from '../db/jsonb';
import type { Database } from '../db/schema';
import { refusal, type Refusal } from '../refusal';
import { DEFAULTS, type Settings } from '../settings';
import { blobProblem, type BlobRef } from './blob-ref';
import { MAX_SEQUENCE, MAX_TIMESTAMP_MS } from './limits';
import { lockSession } from './session-lock';

/**
 * The metadata rows of media (screenshots, audio and video chunks) whose bytes are in the blob store.
 */

/** The tracks a session records as MediaRecorder chunks, each in its own table of identical shape. */
export type MediaTrack = 'audio' | 'video';

/** The table of each track's chunks. */
export const CHUNK_TABLE = { audio: 'audio_chunks', video: 'video_chunks' } as const satisfies Record<
  MediaTrack,
  keyof Database
>;

/** Largest device pixel ratio stored: browsers zoom to 5x at most, times a 3x screen; beyond is not a display. */
export const MAX_DEVICE_PIXEL_RATIO = 16;

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
  /** The tab's viewport in CSS pixels. */
  viewportWidth?: number | undefined;
  viewportHeight?: number | undefined;
  devicePixelRatio?: number | undefined;
  blob: BlobRef;
  /** True when the bytes are already in the store and verified (server-side upload). */
  uploaded: boolean;
}

/** Audio or video chunk metadata to record (a MediaChunkSchema row). */
export interface MediaChunkInput {
  id?: string | undefined;
  sessionId: string;
  chunkIndex: number;
  /** Epoch ms. */
  startTime: number;
  durationMs: number;
  blob: BlobRef;
  uploaded: boolean;
}

/** Audio chunk metadata to record (an AudioChunkSchema row). */
export type AudioChunkInput = MediaChunkInput;

/**
 * How much media one session may hold (settings MAX_CHUNKS_PER_SESSION, MAX_SCREENSHOTS_PER_SESSION):
 * without a bound, one worker could fill the database and the blob store through a single session.
 */
export interface SessionMediaLimits {
  /** Chunks per track: chunk indexes 0..maxChunks-1 (indexes are unique per session and track). */
  maxChunks: number;
  maxScreenshots: number;
}

/** The limits `settings` configure (MAX_CHUNKS_PER_SESSION, MAX_SCREENSHOTS_PER_SESSION). */
export function sessionMediaLimitsOf(
  settings: Pick<Settings, 'maxChunksPerSession' | 'maxScreenshotsPerSession'>,
): SessionMediaLimits {
  return { maxChunks: settings.maxChunksPerSession, maxScreenshots: settings.maxScreenshotsPerSession };
}

/** The limits of the settings' defaults, for callers that have no settings at hand. */
export const DEFAULT_SESSION_MEDIA_LIMITS: SessionMediaLimits = {
  maxChunks: DEFAULTS.maxChunksPerSession,
  maxScreenshots: DEFAULTS.maxScreenshotsPerSession,
};

/**
 * Why chunk `chunkIndex` of `track` cannot be stored, or undefined when it is within the limit. The
 * refusal is `payload_too_large`: permanent, so the extension quarantines the chunk instead of retrying.
 */
export function chunkLimitProblem(track: MediaTrack, chunkIndex: number, maxChunks: number): Refusal | undefined {
  if (chunkIndex < maxChunks) return undefined;
  return refusal(
    'payload_too_large',
    `${track} chunk ${chunkIndex} is past the ${maxChunks} ${track} chunks a session may have (MAX_CHUNKS_PER_SESSION)`,
  );
}

/** What identifies a screenshot already recorded: its id, or its place in a burst. */
type ScreenshotIdentity = Pick<ScreenshotInput, 'sessionId' | 'burstId' | 'burstIndex'> & { id: string | undefined };

/** The recorded screenshot `shot` repeats (same id, or same session, burst and index), if any. */
async function findScreenshot(db: Kysely<Database>, shot: ScreenshotIdentity) {
  const { id, burstId, burstIndex } = shot;
  if (id === undefined && (burstId === undefined || burstIndex === undefined)) return undefined;
  return db
    .selectFrom('screenshots')
    .select(['id', 'session_id', 'uploaded_at'])
    .where((eb) =>
      eb.or([
        ...(id !== undefined ? [eb('id', '=', id)] : []),
        ...(burstId !== undefined && burstIndex !== undefined
          ? [
              eb.and([
                eb('session_id', '=', shot.sessionId),
                eb('burst_id', '=', burstId),
                eb('burst_index', '=', burstIndex),
              ]),
            ]
          : []),
      ]),
    )
    .executeTakeFirst();
}

/**
 * Why a new screenshot cannot be added to the session (it holds `maxScreenshots` already), or
 * undefined when there is room or `shot` repeats one already recorded (a repeat is always answered).
 * Counts at most `maxScreenshots` index entries, whatever the session holds.
 */
export async function screenshotLimitProblem(
  db: Kysely<Database>,
  shot: ScreenshotIdentity,
  maxScreenshots: number,
): Promise<Refusal | undefined> {
  const { n } = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('screenshots')
        .select(sql<number>`1`.as('one'))
        .where('session_id', '=', shot.sessionId)
        .limit(maxScreenshots)
        .as('held'),
    )
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(n) < maxScreenshots) return undefined;
  const existing = await findScreenshot(db, shot);
  if (existing?.session_id === shot.sessionId) return undefined;
  return refusal(
    'payload_too_large',
    `session ${shot.sessionId} has the ${maxScreenshots} screenshots a session may have (MAX_SCREENSHOTS_PER_SESSION)`,
  );
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

/** Why an optional ratio is not a finite number in 0..max, or undefined when it is absent or in range. */
function ratioProblem(name: string, value: number | undefined, max: number): Refusal | undefined {
  if (value === undefined || (Number.isFinite(value) && value >= 0 && value <= max)) return undefined;
  return refusal('validation_failed', `${name}: ${value} is out of range`);
}

/**
 * Records a screenshot's metadata, creating the session (owned by `workerId`) when it is new.
 * Idempotent: the same (session, burst, index) or the same id is recorded once, and a repeat
 * returns the first row's id; a repeat with `uploaded` marks the row uploaded if it was not yet.
 * A new screenshot beyond `limits.maxScreenshots` is refused (`payload_too_large`).
 */
export async function recordScreenshot(
  db: Kysely<Database>,
  workerId: string,
  shot: ScreenshotInput,
  limits: SessionMediaLimits = DEFAULT_SESSION_MEDIA_LIMITS,
): Promise<Result<RecordedMedia, Refusal>> {
  const problem =
    blobProblem(shot.blob) ??
    intProblem('burstIndex', shot.burstIndex) ??
    intProblem('burstTotal', shot.burstTotal) ??
    intProblem('triggerSequence', shot.triggerSequence) ??
    intProblem('width', shot.width !== undefined ? Math.round(shot.width) : undefined) ??
    intProblem('height', shot.height !== undefined ? Math.round(shot.height) : undefined) ??
    intProblem('viewportWidth', shot.viewportWidth) ??
    intProblem('viewportHeight', shot.viewportHeight) ??
    ratioProblem('devicePixelRatio', shot.devicePixelRatio, MAX_DEVICE_PIXEL_RATIO) ??
    intProblem('timestamp', Math.round(shot.timestamp), MAX_TIMESTAMP_MS);
  if (problem) return err(problem);
  const timestamp = new Date(Math.round(shot.timestamp));

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, shot.sessionId, () => ({ start_time: timestamp }));
    if (!locked.ok) return locked;
    // Under the session lock, so two instances cannot both add the last screenshot that fits.
    const full = await screenshotLimitProblem(trx, { ...shot, id: shot.id }, limits.maxScreenshots);
    if (full) return err(full);
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
        viewport_width: shot.viewportWidth ?? null,
        viewport_height: shot.viewportHeight ?? null,
        device_pixel_ratio: shot.devicePixelRatio ?? null,
        mime: shot.blob.mime,
        uploaded_at: shot.uploaded ? new Date() : null,
      })
      // Any unique key: the id, or (session, burst, index).
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) return ok({ id: inserted.id, created: true });

    const existing = await findScreenshot(trx, { ...shot, id });
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
export function recordAudioChunk(
  db: Kysely<Database>,
  workerId: string,
  chunk: AudioChunkInput,
  limits: SessionMediaLimits = DEFAULT_SESSION_MEDIA_LIMITS,
): Promise<Result<RecordedMedia, Refusal>> {
  return recordMediaChunk(db, workerId, 'audio', chunk, limits);
}

/**
 * Records a chunk of the session's `track` (its row in audio_chunks or video_chunks), creating the
 * session when it is new. Idempotent on (session, chunk index) or the id, like recordScreenshot.
 * A chunk index of `limits.maxChunks` or more is refused (`payload_too_large`): indexes are unique per
 * session and track, so a track never holds more than `maxChunks` rows.
 */
export async function recordMediaChunk(
  db: Kysely<Database>,
  workerId: string,
  track: MediaTrack,
  chunk: MediaChunkInput,
  limits: SessionMediaLimits = DEFAULT_SESSION_MEDIA_LIMITS,
): Promise<Result<RecordedMedia, Refusal>> {
  const table = CHUNK_TABLE[track];
  const problem =
    blobProblem(chunk.blob) ??
    intProblem('chunkIndex', chunk.chunkIndex) ??
    chunkLimitProblem(track, chunk.chunkIndex, limits.maxChunks) ??
    intProblem('durationMs', chunk.durationMs) ??
    intProblem('startTime', chunk.startTime, MAX_TIMESTAMP_MS);
  if (problem) return err(problem);
  const startTime = new Date(chunk.startTime);

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, chunk.sessionId, () => ({ start_time: startTime }));
    if (!locked.ok) return locked;
    const id = chunk.id ?? randomUUID();
    const inserted = await trx
      .insertInto(table)
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
      .selectFrom(table)
      .select(['id', 'session_id', 'uploaded_at'])
      .where((eb) =>
        eb.or([
          eb('id', '=', id),
          eb.and([eb('session_id', '=', chunk.sessionId), eb('chunk_index', '=', chunk.chunkIndex)]),
        ]),
      )
      .executeTakeFirst();
    if (!existing || existing.session_id !== chunk.sessionId) {
      return fail('conflict', `${track} chunk id ${id} is already used by another session`);
    }
    if (chunk.uploaded && existing.uploaded_at === null) {
      await trx
        .updateTable(table)
        .set({ uploaded_at: sql<Date>`now()` })
        .where('id', '=', existing.id)
        .execute();
    }
    return ok({ id: existing.id, created: false });
  });
}
