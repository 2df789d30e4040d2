import * as v from 'valibot';
import { SessionIdSchema } from '../entities/session-id';
import { Sha256Schema } from '../entities/media';

const Count = v.pipe(v.number(), v.integer(), v.minValue(0));

/** `manifest.json` inside a session ZIP: what is in the archive and how to check it arrived intact. */
export const ZipManifestSchema = v.object({
  format: v.literal('codesight-session-zip'),
  version: v.literal(1),
  sessionId: SessionIdSchema,
  /** ISO 8601. */
  createdAt: v.pipe(v.string(), v.isoTimestamp()),
  counts: v.object({ events: Count, screenshots: Count, audioChunks: Count }),
  files: v.array(v.object({ path: v.string(), bytes: Count, sha256: Sha256Schema })),
});
export type ZipManifest = v.InferOutput<typeof ZipManifestSchema>;
