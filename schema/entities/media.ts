import * as v from 'valibot';
import { SessionIdSchema } from './session-id';
import { EpochMsSchema, FiniteSchema, int4Schema, SafeIntegerSchema } from '../core/bounded';
import { MAX_COMPRESSION_RATIO } from '../limits';

/** Lower-case hex SHA-256: media blobs are content-addressed by it, locally and on the server. */
export const Sha256Schema = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256'));

const Mime = v.pipe(v.string(), v.regex(/^[a-z]+\/[a-z0-9.+-]+(;.*)?$/i, 'must be a MIME type'), v.maxLength(128));
/** Indexes, counts, pixel sizes and durations: `integer` columns on the server. */
const NonNegInt = int4Schema(0);
/** Byte sizes: `bigint` columns. */
const ByteCount = v.pipe(SafeIntegerSchema, v.minValue(0));

/** Metadata of one screenshot; the bytes live in the blob table under `sha256`. */
export const ScreenshotSchema = v.object({
  id: v.pipe(v.string(), v.maxLength(64)),
  sessionId: SessionIdSchema,
  /** Screenshots taken around one key action share a burst id. */
  burstId: v.pipe(v.string(), v.maxLength(64)),
  burstIndex: NonNegInt,
  burstTotal: int4Schema(1),
  /** What caused the burst, e.g. `click`, `navigation`, `submit`. */
  trigger: v.pipe(v.string(), v.maxLength(64)),
  /** Sequence of the event that triggered the burst, when there is one. */
  triggerSequence: v.optional(int4Schema(1)),
  timestamp: EpochMsSchema,
  mime: Mime,
  width: NonNegInt,
  height: NonNegInt,
  bytes: ByteCount,
  sha256: Sha256Schema,
  /** Raw RGBA bytes of the stored image (width × height × 4) / encoded bytes: how much encoding saved. */
  compressionRatio: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_COMPRESSION_RATIO))),
  /** The tab's viewport in CSS pixels when the frame was taken (`width`/`height` are the stored image's). */
  viewportWidth: v.optional(NonNegInt),
  viewportHeight: v.optional(NonNegInt),
  /** Device pixels per CSS pixel of the tab: a captured frame is viewport × this before any downscaling. */
  devicePixelRatio: v.optional(v.pipe(FiniteSchema, v.minValue(0))),
});
export type Screenshot = v.InferOutput<typeof ScreenshotSchema>;

/**
 * Metadata of one recorded media chunk (a MediaRecorder timeslice): narration audio, or tab video when
 * that is on. Bytes in the blob table. Chunks of one track concatenated by `chunkIndex` are one WebM file.
 */
export const MediaChunkSchema = v.object({
  id: v.pipe(v.string(), v.maxLength(64)),
  sessionId: SessionIdSchema,
  chunkIndex: NonNegInt,
  startTime: EpochMsSchema,
  durationMs: NonNegInt,
  mime: Mime,
  bytes: ByteCount,
  sha256: Sha256Schema,
});
export type MediaChunk = v.InferOutput<typeof MediaChunkSchema>;

/** A narration audio chunk (`audio/webm;codecs=opus`). */
export const AudioChunkSchema = MediaChunkSchema;
export type AudioChunk = MediaChunk;

/** A tab video chunk (`video/webm`), from chrome.tabCapture; off unless the worker turns it on. */
export const VideoChunkSchema = MediaChunkSchema;
export type VideoChunk = MediaChunk;
