import type { AdminAccountsTable } from './tables/admin-accounts.table';
import type { AdminSessionsTable } from './tables/admin-sessions.table';
import type { ApiKeysTable } from './tables/api-keys.table';
import type { AudioChunksTable } from './tables/audio-chunks.table';
import type { InteractionsTable } from './tables/interactions.table';
import type { JobsTable } from './tables/jobs.table';
import type { ScreenshotThumbnailsTable } from './tables/screenshot-thumbnails.table';
import type { ScreenshotAnalysesTable } from './tables/screenshot-analyses.table';
import type { ScreenshotsTable } from './tables/screenshots.table';
import type { ServerMasksTable } from './tables/server-masks.table';
import type { SessionArchivesTable } from './tables/session-archives.table';
import type { SessionsTable } from './tables/sessions.table';
import type { UploadsTable } from './tables/uploads.table';
import type { VideoChunksTable } from './tables/video-chunks.table';
import type { WorkersTable } from './tables/workers.table';

export type * from './tables/admin-accounts.table';
export type * from './tables/admin-sessions.table';
export type * from './tables/api-keys.table';
export type * from './tables/audio-chunks.table';
export type * from './tables/interactions.table';
export type * from './tables/jobs.table';
export type * from './tables/media-chunks.table';
export type * from './tables/screenshot-thumbnails.table';
export type * from './tables/screenshot-analyses.table';
export type * from './tables/screenshots.table';
export type * from './tables/server-masks.table';
export type * from './tables/session-archives.table';
export type * from './tables/sessions.table';
export type * from './tables/uploads.table';
export type * from './tables/video-chunks.table';
export type * from './tables/workers.table';

/** Every table of the sync server, keyed by its SQL name: the type parameter of `Kysely<Database>`. */
export interface Database {
  workers: WorkersTable;
  api_keys: ApiKeysTable;
  sessions: SessionsTable;
  interactions: InteractionsTable;
  screenshots: ScreenshotsTable;
  screenshot_analyses: ScreenshotAnalysesTable;
  screenshot_thumbnails: ScreenshotThumbnailsTable;
  audio_chunks: AudioChunksTable;
  video_chunks: VideoChunksTable;
  session_archives: SessionArchivesTable;
  uploads: UploadsTable;
  admin_accounts: AdminAccountsTable;
  admin_sessions: AdminSessionsTable;
  jobs: JobsTable;
  server_masks: ServerMasksTable;
}
