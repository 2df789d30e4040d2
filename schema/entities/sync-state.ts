import * as v from 'valibot';
import { ErrorCodeSchema } from '../protocol/errors';
import { SessionIdSchema } from './session-id';

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/**
 * Why a batch was quarantined: a server error code, or one of the engine's own findings —
 * `local_gap` (the local store lacks an event inside 1..eventCount, so nothing past it can ever be acked)
 * or `incomplete_close` (the server kept answering `incomplete` to `session_close` although the events
 * were resent).
 */
export const QuarantineCodeSchema = v.union([ErrorCodeSchema, v.picklist(['local_gap', 'incomplete_close'])]);
export type QuarantineCode = v.InferOutput<typeof QuarantineCodeSchema>;

/**
 * Events the server refused for good (a row of the extension's sync state). Kept, never retried
 * automatically, never dropped: the session cannot be acked past `firstSequence - 1` until the worker
 * (or an update) acts.
 */
export const QuarantinedBatchSchema = v.object({
  sessionId: SessionIdSchema,
  firstSequence: Count,
  lastSequence: Count,
  code: QuarantineCodeSchema,
  /** Human-readable reason, shown to the worker. */
  reason: v.string(),
  /** Epoch ms. */
  at: v.number(),
});
export type QuarantinedBatch = v.InferOutput<typeof QuarantinedBatchSchema>;

/** An error as the sync engine reports it (status and storage). */
export const SyncErrorSchema = v.object({
  /** A protocol error code, or `connection`, `ack_timeout`, `store`. */
  code: v.string(),
  message: v.string(),
  /** Epoch ms. */
  at: v.number(),
  sessionId: v.optional(v.string()),
});
export type SyncError = v.InferOutput<typeof SyncErrorSchema>;

/** Sync engine bookkeeping that outlives a service-worker restart. */
export const SyncMetaSchema = v.object({
  lastSyncAt: v.optional(v.number()),
  lastError: v.optional(SyncErrorSchema),
});
export type SyncMeta = v.InferOutput<typeof SyncMetaSchema>;

/** The kinds of media the server's upload API takes (`UploadRequest.kind`). */
export const MediaKindSchema = v.picklist(['screenshot', 'audio', 'video']);
export type MediaKind = v.InferOutput<typeof MediaKindSchema>;

/**
 * Why a media item was quarantined: a server error code, or a finding about the local copy —
 * `local_blob_missing` (the metadata row points at a blob that is not in the blob table),
 * `local_hash_mismatch` (the local bytes do not hash to the row's sha256: uploading them would store
 * wrong content under that address) or `upload_refused` (the upload target refused the bytes twice with
 * a 4xx the server API does not describe, e.g. S3 XML).
 */
export const MediaQuarantineCodeSchema = v.union([
  ErrorCodeSchema,
  v.picklist(['local_blob_missing', 'local_hash_mismatch', 'upload_refused']),
]);
export type MediaQuarantineCode = v.InferOutput<typeof MediaQuarantineCodeSchema>;
