import type { Insertable, Selectable, Updateable } from 'kysely';
import type { NullableTimestamp, Timestamp, TimestampDefaultNow } from '../column-types';

/** Metadata of one narration audio chunk; the bytes live in the blob store under `blob_key`. */
export interface AudioChunksTable {
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

export type AudioChunkRow = Selectable<AudioChunksTable>;
export type NewAudioChunk = Insertable<AudioChunksTable>;
export type AudioChunkUpdate = Updateable<AudioChunksTable>;
