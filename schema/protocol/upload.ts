import * as v from 'valibot';
import { SessionIdSchema } from '../entities/session-id';
import { Sha256Schema } from '../entities/media';
import { EpochMsSchema, FiniteSchema, int4Schema, SafeIntegerSchema } from '../core/bounded';
import { MAX_COMPRESSION_RATIO } from '../limits';

/**
 * The media upload API, in three steps so large bytes never pass through the sync socket:
 * `POST /api/upload/url` (announce) → PUT the bytes where told → `POST /api/upload/complete`
 * (the server verifies size and SHA-256, then records the screenshot or audio row).
 */

/** Indexes, pixel sizes and durations: `integer` columns. */
const NonNegInt = int4Schema(0);
const Mime = v.pipe(v.string(), v.maxLength(128), v.regex(/^[a-z]+\/[a-z0-9.+-]+(;[ -~]*)?$/i, 'must be a MIME type'));

/** What a screenshot upload says about the image (the ScreenshotSchema fields that are not the blob). */
export const ScreenshotUploadMetaSchema = v.object({
  /** The client's screenshot id (ScreenshotSchema.id); makes a repeated complete idempotent. */
  id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
  timestamp: EpochMsSchema,
  width: v.optional(NonNegInt),
  height: v.optional(NonNegInt),
  burstId: v.optional(v.pipe(v.string(), v.maxLength(64))),
  burstIndex: v.optional(NonNegInt),
  burstTotal: v.optional(int4Schema(1)),
  trigger: v.optional(v.pipe(v.string(), v.maxLength(64))),
  triggerSequence: v.optional(int4Schema(1)),
  /** A `real` column. */
  compressionRatio: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_COMPRESSION_RATIO))),
  viewportWidth: v.optional(NonNegInt),
  viewportHeight: v.optional(NonNegInt),
  devicePixelRatio: v.optional(v.pipe(FiniteSchema, v.minValue(0), v.maxValue(16))),
});

/** What an audio or video upload says about the chunk (the MediaChunkSchema fields that are not the blob). */
export const AudioUploadMetaSchema = v.object({
  /** The client's chunk id (MediaChunkSchema.id). */
  id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
  chunkIndex: NonNegInt,
  startTime: EpochMsSchema,
  durationMs: NonNegInt,
});

const common = {
  sha256: Sha256Schema,
  /** A `bigint` column. */
  bytes: v.pipe(SafeIntegerSchema, v.minValue(1, 'bytes must be at least 1')),
  mime: Mime,
  sessionId: SessionIdSchema,
};

/** Body of `POST /api/upload/url` and `POST /api/upload/complete`. */
export const UploadRequestSchema = v.variant('kind', [
  v.object({
    ...common,
    kind: v.literal('screenshot'),
    meta: ScreenshotUploadMetaSchema,
    uploadId: v.optional(v.pipe(v.string(), v.maxLength(64))),
  }),
  v.object({
    ...common,
    kind: v.literal('audio'),
    meta: AudioUploadMetaSchema,
    uploadId: v.optional(v.pipe(v.string(), v.maxLength(64))),
  }),
  v.object({
    ...common,
    kind: v.literal('video'),
    meta: AudioUploadMetaSchema,
    uploadId: v.optional(v.pipe(v.string(), v.maxLength(64))),
  }),
]);
/** A validated upload announcement. */
export type UploadRequest = v.InferOutput<typeof UploadRequestSchema>;

/** Answer to `POST /api/upload/url`: nothing to send (content-addressed, already stored), or where to PUT. */
export const UploadUrlReplySchema = v.union([
  v.object({ alreadyExists: v.literal(true), blobKey: v.string() }),
  v.object({
    alreadyExists: v.literal(false),
    uploadId: v.string(),
    blobKey: v.string(),
    method: v.literal('PUT'),
    url: v.string(),
    headers: v.record(v.string(), v.string()),
    /** ISO 8601: ask again after this. */
    expiresAt: v.string(),
  }),
]);
export type UploadUrlReply = v.InferOutput<typeof UploadUrlReplySchema>;

/** Answer to `POST /api/upload/complete`: the media row is recorded (`created` false for a repeat). */
export const UploadCompleteReplySchema = v.object({
  recorded: v.literal(true),
  kind: v.picklist(['screenshot', 'audio', 'video']),
  id: v.string(),
  created: v.boolean(),
  blobKey: v.string(),
});
export type UploadCompleteReply = v.InferOutput<typeof UploadCompleteReplySchema>;
