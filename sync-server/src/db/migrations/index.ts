import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026-11-28T0000-initial';
import * as storeBatchFunction from './2026-11-28T0100-store-batch-function';
import * as videoChunks from './2026-12-02T1100-video-chunks';
import * as credentialNotify from './2026-12-02T1300-credential-notify';
import * as interactionsWithoutCopies from './2026-12-02T1800-interactions-without-copies';
import * as adminAccounts from './2026-12-03T0200-admin-accounts';
import * as jobs from './2026-12-03T0100-jobs';
import * as recordStoredEvents from './2026-12-03T0300-record-stored-events';
import * as consoleIndexes from './2026-12-03T0400-console-indexes';
import * as screenshotAnalyses from './2026-12-03T0500-screenshot-analyses';
import * as screenshotThumbnails from './2026-12-03T0600-screenshot-thumbnails';
import * as serverMasking from './2026-12-03T0700-server-masking';
import * as summaryPerDistinctUrl from './2026-12-03T0900-summary-per-distinct-url';
import * as clientMaskCounts from './2026-12-03T1000-client-mask-counts';
import * as jobsFairShare from './2026-12-03T1100-jobs-fair-share';
import * as summaryFromBatchAggregates from './2026-12-03T1200-summary-from-batch-aggregates';

/**
 * Every migration, by name. Imported statically (no directory scan) so the server still finds its
 * migrations when bundled into one file. Names are timestamps: the Migrator applies them in name order.
 */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '2026-11-28T0000-initial': initial,
  '2026-11-28T0100-store-batch-function': storeBatchFunction,
  '2026-12-02T1100-video-chunks': videoChunks,
  '2026-12-02T1300-credential-notify': credentialNotify,
  '2026-12-02T1800-interactions-without-copies': interactionsWithoutCopies,
  '2026-12-03T0200-admin-accounts': adminAccounts,
  '2026-12-03T0100-jobs': jobs,
  '2026-12-03T0300-record-stored-events': recordStoredEvents,
  '2026-12-03T0400-console-indexes': consoleIndexes,
  '2026-12-03T0500-screenshot-analyses': screenshotAnalyses,
  '2026-12-03T0600-screenshot-thumbnails': screenshotThumbnails,
  '2026-12-03T0700-server-masking': serverMasking,
  '2026-12-03T0900-summary-per-distinct-url': summaryPerDistinctUrl,
  '2026-12-03T1000-client-mask-counts': clientMaskCounts,
  '2026-12-03T1100-jobs-fair-share': jobsFairShare,
  '2026-12-03T1200-summary-from-batch-aggregates': summaryFromBatchAggregates,
};

/** The Kysely MigrationProvider over {@link MIGRATIONS}. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
};
