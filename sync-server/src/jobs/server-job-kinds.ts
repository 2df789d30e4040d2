import type { Kysely } from 'kysely';
import type { BlobStore } from '../blobs/blob-store';
import type { Database } from '../db/schema';
import type { Settings } from '../settings';
import { sessionArchiveJob } from './archive/session-archive-job';
import { createJobRegistry, type JobRegistry } from './job-registry';
import { datasetExportJob } from './exports/dataset-export-job';
import { screenshotThumbnailsJob } from './thumbnails/screenshot-thumbnails-job';
import { screenshotAnalysisJob } from './vision/screenshot-analysis-job';
import { createVisionClient } from '../vision/vision-client';

/**
 * The job kinds the server runs, wired to its database, blob store and limits. The screenshot analysis
 * is registered only when VISION_API_URL and VISION_API_KEY are set: off, no such job can be enqueued.
 */
export function createServerJobRegistry(deps: {
  db: Kysely<Database>;
  blobs: BlobStore;
  settings: Pick<Settings, 'maxScreenshotsPerSession' | 'maxChunksPerSession' | 'vision'>;
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
    ...visionJobs(deps),
  ]);
}

/** The screenshot analysis job when vision is configured, else nothing. */
function visionJobs(deps: Parameters<typeof createServerJobRegistry>[0]) {
  const vision = deps.settings.vision;
  if (!vision) return [];
  const client = createVisionClient({
    apiUrl: vision.apiUrl,
    apiKey: vision.apiKey,
    model: vision.model,
    timeoutMs: vision.requestTimeoutMs,
  });
  return [
    screenshotAnalysisJob({
      db: deps.db,
      blobs: deps.blobs,
      client,
      maxScreenshotsPerSession: vision.maxScreenshotsPerSession,
    }),
  ];
}
