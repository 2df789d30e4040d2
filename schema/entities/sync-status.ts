import * as v from 'valibot';
import { SessionIdSchema } from './session-id';

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/**
 * The sync state the background publishes (chrome.storage.local) for the popup: connection, backlog,
 * last success, last error, and sessions held back by a refusal.
 */
export const PublishedSyncStatusSchema = v.object({
  /** False when no server URL / API key is set: recording stays local. */
  configured: v.boolean(),
  /** Why the settings cannot be used (e.g. an unusable server address), shown as is. */
  configError: v.optional(v.string()),
  /** The endpoints derived from the worker's server address. */
  endpoints: v.optional(v.object({ wsUrl: v.string(), httpBase: v.string() })),
  connection: v.picklist(['live', 'fallback-http', 'offline', 'connecting']),
  pendingEvents: Count,
  /** Estimate of the uncompressed bytes still to send. */
  pendingBytes: Count,
  /** Epoch ms of the last acknowledged batch. */
  lastSyncAt: v.optional(v.number()),
  lastError: v.optional(
    v.object({ code: v.string(), message: v.string(), at: v.number(), sessionId: v.optional(v.string()) }),
  ),
  quarantined: v.array(
    v.object({
      sessionId: SessionIdSchema,
      firstSequence: Count,
      lastSequence: Count,
      code: v.string(),
      reason: v.string(),
      at: v.number(),
      blockedEvents: Count,
    }),
  ),
  /** Screenshot and audio uploads (content-addressed, after their session's events are acked). */
  media: v.optional(
    v.object({
      pendingItems: Count,
      pendingBytes: Count,
      /** Items held until the server has acked the events they belong to. */
      waitingForAck: Count,
      lastUploadAt: v.optional(v.number()),
      lastError: v.optional(
        v.object({ code: v.string(), message: v.string(), at: v.number(), sessionId: v.optional(v.string()) }),
      ),
      quarantined: v.array(
        v.object({
          kind: v.picklist(['screenshot', 'audio', 'video']),
          id: v.string(),
          sessionId: SessionIdSchema,
          code: v.string(),
          reason: v.string(),
          at: v.number(),
        }),
      ),
    }),
  ),
  /** Epoch ms of this snapshot. */
  updatedAt: v.number(),
});
export type PublishedSyncStatus = v.InferOutput<typeof PublishedSyncStatusSchema>;

/** chrome.storage.local key of the {@link PublishedSyncStatusSchema} snapshot. */
export const SYNC_STATUS_KEY = 'syncStatus';
