import type { Insertable, Selectable, Updateable } from 'kysely';
import type { NullableTimestamp, Timestamp, TimestampDefaultNow } from '../column-types';

/**
 * The columns of one recorded media chunk (a MediaRecorder timeslice); `audio_chunks` and
 * `video_chunks` both have exactly these. The bytes live in the blob store under `blob_key`.
 */
export interface MediaChunksTable {
  id: string;
  session_id: string;
  chunk_index: number;
  start_time: Timestamp;
  duration_ms: number;
  mime: string;
  blob_key: string;
  sha256: string;
  bytes: number;
  /** Null until the blob is verified to be in the store with this size and hash. */
  uploaded_at: NullableTimestamp;
  created_at: TimestampDefaultNow;
}

export type MediaChunkRow = Selectable<MediaChunksTable>;
export type NewMediaChunk = Insertable<MediaChunksTable>;
export type MediaChunkUpdate = Updateable<MediaChunksTable>;
