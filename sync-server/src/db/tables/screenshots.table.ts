import type { Insertable, Selectable, Updateable } from 'kysely';
import type { NullableTimestamp, Timestamp, TimestampDefaultNow } from '../column-types';

/** Metadata of one screenshot; the bytes live in the blob store under `blob_key`. */
export interface ScreenshotsTable {
  id: string;
  session_id: string;
  burst_id: string | null;
  burst_index: number | null;
  burst_total: number | null;
  trigger: string | null;
  trigger_sequence: number | null;
  timestamp: Timestamp;
  compression_ratio: number | null;
  blob_key: string;
  sha256: string;
  bytes: number;
  /** The stored image's size in pixels. */
  width: number | null;
  height: number | null;
  /** The tab's viewport in CSS pixels when the frame was taken; null for older clients. */
  viewport_width: number | null;
  viewport_height: number | null;
  /** Device pixels per CSS pixel of the tab; null for older clients. */
  device_pixel_ratio: number | null;
  mime: string;
  /** Null until the blob is verified to be in the store with this size and hash. */
  uploaded_at: NullableTimestamp;
  created_at: TimestampDefaultNow;
}

export type ScreenshotRow = Selectable<ScreenshotsTable>;
export type NewScreenshot = Insertable<ScreenshotsTable>;
export type ScreenshotUpdate = Updateable<ScreenshotsTable>;
