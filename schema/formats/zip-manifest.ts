import * as v from 'valibot';
import { SessionIdSchema } from '../entities/session-id';
import { Sha256Schema } from '../entities/media';
import { MediaTimelineEntrySchema } from './media-timeline';

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** A media timeline entry in the manifest: where the chunk or frame is in the time line, and its file. */
export const ZipTimelineEntrySchema = v.object({
  ...MediaTimelineEntrySchema.entries,
  /** The chunk's own file (`audio/chunk-000000.webm`) or the frame's image, relative to the archive root. */
  path: v.string(),
});
export type ZipTimelineEntry = v.InferOutput<typeof ZipTimelineEntrySchema>;

/**
 * `manifest.json` inside a session ZIP: what is in the archive and how to check it arrived intact.
 *
 * Version 2 (issue 9): media moved from `media/screenshots/`, `media/audio/` to top-level `screenshots/`,
 * `audio/` and `video/` (a reader that looked for the old paths would find nothing), and the manifest
 * gained `counts.videoChunks` and `timeline`. Version 1 archives have neither; their `files` list is read
 * the same way.
 */
export const ZipManifestSchema = v.object({
  format: v.literal('codesight-session-zip'),
  version: v.literal(2),
  sessionId: SessionIdSchema,
  /** ISO 8601. */
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  counts: v.object({ events: Count, screenshots: Count, audioChunks: Count, videoChunks: Count }),
  /**
   * Every audio chunk, video chunk and screenshot, in time order, with the event sequences it goes with
   * (see `buildMediaTimeline`).
   */
  timeline: v.array(ZipTimelineEntrySchema),
  /** Every other file of the archive, in archive order: uncompressed size and SHA-256. */
  files: v.array(v.object({ path: v.string(), bytes: Count, sha256: Sha256Schema })),
});
export type ZipManifest = v.InferOutput<typeof ZipManifestSchema>;
