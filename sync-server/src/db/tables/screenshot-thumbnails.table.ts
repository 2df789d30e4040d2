import type { Insertable, Selectable } from 'kysely';
import type { TimestampDefaultNow } from '../column-types';

/**
 * The thumbnail of one screenshot (`screenshot_thumbnails`), or why it has none: either `blob_key`
 * (with `mime`, `bytes`, `width`, `height`) or `problem` is set.
 */
export interface ScreenshotThumbnailsTable {
  screenshot_id: string;
  /** Content-addressed, like every stored blob. */
  blob_key: string | null;
  mime: string | null;
  bytes: number | null;
  width: number | null;
  height: number | null;
  /** Why no thumbnail was made (too many pixels, undecodable); the job does not try again. */
  problem: string | null;
  created_at: TimestampDefaultNow;
}

export type ScreenshotThumbnailRow = Selectable<ScreenshotThumbnailsTable>;
export type NewScreenshotThumbnail = Insertable<ScreenshotThumbnailsTable>;
