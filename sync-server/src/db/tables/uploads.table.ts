import type { Insertable, Selectable, Updateable } from 'kysely';
import type { NullableTimestamp, TimestampDefaultNow } from '../column-types';

/** A pending upload intent (`POST /api/upload/url`), completed once the blob is verified. */
export interface UploadsTable {
  id: string;
  worker_id: string;
  sha256: string;
  bytes: number;
  mime: string;
  blob_key: string;
  created_at: TimestampDefaultNow;
  completed_at: NullableTimestamp;
}

export type UploadRow = Selectable<UploadsTable>;
export type NewUpload = Insertable<UploadsTable>;
export type UploadUpdate = Updateable<UploadsTable>;
