/**
 * Ingest and read side of the sync server's storage: plain functions over a Kysely<Database>, each
 * one transaction, returning the shared `Result` with a `Refusal` when the client sent something unstorable.
 */
export { storeBatch, type StoreBatchResult } from './store-batch';
export { mapEventToRow } from './event-row';
export { mapLegacyInteractionToRow } from './legacy-row';
export { legacyToRecordedEvent } from './legacy-event';
export { storeLegacyInteractions, type StoreLegacyResult } from './legacy-interactions';
export { startLegacySession, type StartSessionResult } from './session-start';
export { endSession, type EndSessionResult } from './session-end';
export { getResumeState } from './resume-state';
export { abandonStaleSessions } from './abandon-sessions';
export {
  listSessions,
  getSession,
  getSessionView,
  recentActivity,
  countAll,
  MAX_SESSION_PAGE,
  type ListSessionsOptions,
  type SessionPage,
  type SessionSummaryRow,
  type SessionViewRow,
  type TableCounts,
} from './read-sessions';
export { readSessionEvents, MAX_EVENT_PAGE, type ReadEventsOptions } from './read-events';
export {
  recordScreenshot,
  recordAudioChunk,
  recordMediaChunk,
  CHUNK_TABLE,
  type MediaTrack,
  type ScreenshotInput,
  type AudioChunkInput,
  type MediaChunkInput,
  type RecordedMedia,
} from './media-rows';
export { type BlobRef } from './blob-ref';
export { createUploadIntent, findLiveUploadIntent, completeUploadIntents } from './upload-intents';
export { advanceWatermark } from './watermark';
