import * as v from 'valibot';
import { SessionIdSchema } from '../entities/session-id';
import { Sha256Schema } from '../entities/media';

/**
 * The media upload API, in three steps so large bytes never pass through the sync socket:
 * `POST /api/upload/url` (announce) → PUT the bytes where told → `POST /api/upload/complete`
 * (the server verifies size and SHA-256, then records the screenshot or audio row).
 */

const NonNegInt = v.pipe(v.number(), v.integer(), v.minValue(0));
const Mime = v.pipe(v.string(), v.maxLength(128), v.regex(/^[a-z]+\/[a-z0-9.+-]+(;[ -~]*)?$/i, 'must be a MIME type'));

/** What a screenshot upload says about the image (the ScreenshotSchema fields that are not the blob). */
export const ScreenshotUploadMetaSchema = v.object({
  /** The client's screenshot id (ScreenshotSchema.id); makes a repeated complete idempotent. */
  id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
  timestamp: NonNegInt,
  width: v.optional(NonNegInt),
  height: v.optional(NonNegInt),
  burstId: v.optional(v.pipe(v.string(), v.maxLength(64))),
  burstIndex: v.optional(NonNegInt),
  burstTotal: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  trigger: v.optional(v.pipe(v.string(), v.maxLength(64))),
  triggerSequence: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  compressionRatio: v.optional(v.number()),
  viewportWidth: v.optional(NonNegInt),
  viewportHeight: v.optional(NonNegInt),
  devicePixelRatio: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(16))),
});

/** What an audio or video upload says about the chunk (the MediaChunkSchema fields that are not the blob). */
export const AudioUploadMetaSchema = v.object({
  /** The client's chunk id (MediaChunkSchema.id). */
  id: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
  chunkIndex: NonNegInt,
  startTime: NonNegInt,
  durationMs: NonNegInt,
});

const common = {
  sha256: Sha256Schema,
  bytes: v.pipe(NonNegInt, v.minValue(1, 'bytes must be at least 1')),
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
