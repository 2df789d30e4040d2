import type { Kysely } from 'kysely';
import type { BlobStore } from '../blobs/blob-store';
import type { Database } from '../db/schema';
import type { Settings } from '../settings';
import { sessionArchiveJob } from './archive/session-archive-job';
import { datasetExportJob } from './exports/dataset-export-job';
import { createJobRegistry, type JobRegistry } from './job-registry';
import { screenshotThumbnailsJob } from './thumbnails/screenshot-thumbnails-job';

/** The job kinds the server runs, wired to its database, blob store and limits. */
export function createServerJobRegistry(deps: {
  db: Kysely<Database>;
  blobs: BlobStore;
  settings: Pick<Settings, 'maxScreenshotsPerSession' | 'maxChunksPerSession'>;
}): JobRegistry {
  return createJobRegistry([
    sessionArchiveJob({
      db: deps.db,
      blobs: deps.blobs,
      maxScreenshotsPerSession: deps.settings.maxScreenshotsPerSession,
      maxChunksPerSession: deps.settings.maxChunksPerSession,
    }),
    screenshotThumbnailsJob({
      db: deps.db,
      blobs: deps.blobs,
      maxScreenshotsPerSession: deps.settings.maxScreenshotsPerSession,
    }),
    datasetExportJob({ db: deps.db, blobs: deps.blobs }),
  ]);
}
