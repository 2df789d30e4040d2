import * as v from 'valibot';
import { SessionIdSchema } from './session-id';

/** Lower-case hex SHA-256: media blobs are content-addressed by it, locally and on the server. */
export const Sha256Schema = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256'));

const Mime = v.pipe(v.string(), v.regex(/^[a-z]+\/[a-z0-9.+-]+(;.*)?$/i, 'must be a MIME type'), v.maxLength(128));
const NonNegInt = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Metadata of one screenshot; the bytes live in the blob table under `sha256`. */
export const ScreenshotSchema = v.object({
  id: v.pipe(v.string(), v.maxLength(64)),
  sessionId: SessionIdSchema,
  /** Screenshots taken around one key action share a burst id. */
  burstId: v.pipe(v.string(), v.maxLength(64)),
  burstIndex: NonNegInt,
  burstTotal: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** What caused the burst, e.g. `click`, `navigation`, `submit`. */
  trigger: v.pipe(v.string(), v.maxLength(64)),
  /** Sequence of the event that triggered the burst, when there is one. */
  triggerSequence: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  timestamp: NonNegInt,
  mime: Mime,
  width: NonNegInt,
  height: NonNegInt,
  bytes: NonNegInt,
  sha256: Sha256Schema,
  /** Encoded size / raw RGBA size. */
  compressionRatio: v.optional(v.number()),
});
export type Screenshot = v.InferOutput<typeof ScreenshotSchema>;

/** Metadata of one narration audio chunk (MediaRecorder timeslice); bytes in the blob table. */
export const AudioChunkSchema = v.object({
  id: v.pipe(v.string(), v.maxLength(64)),
  sessionId: SessionIdSchema,
  chunkIndex: NonNegInt,
  startTime: NonNegInt,
  durationMs: NonNegInt,
  mime: Mime,
  bytes: NonNegInt,
  sha256: Sha256Schema,
});
export type AudioChunk = v.InferOutput<typeof AudioChunkSchema>;
