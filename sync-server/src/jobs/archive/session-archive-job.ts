import { createHash } from 'node:crypto';
import { ok, SessionIdSchema, type ZipManifest } from '@codesight/schema';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { BlobStore } from '../../blobs/blob-store';
import type { Database } from '../../db/schema';
import { getSessionView } from '../../ingest/read-sessions';
import { toExportSession } from '../../routes/session-views';
import { DEFAULT_BACKOFF } from '../backoff';
import { defineJobKind, type JobFailure, type JobKind } from '../job-kind';
import { recordArchive } from './archive-records';
import { blobPieces, countArchiveContent, sessionChunks, sessionEvents, sessionScreenshots } from './archive-sources';
import { ZIP32_LIMIT } from './archive-zip';
import { buildSessionArchive } from './build-session-archive';

/** The job kind that builds a session's ZIP. */
export const SESSION_ARCHIVE_KIND = 'session-archive';

/** Its payload: which session. */
export const SessionArchivePayloadSchema = v.object({ sessionId: SessionIdSchema });
export type SessionArchivePayload = v.InferOutput<typeof SessionArchivePayloadSchema>;

/**
 * Most events an archive takes. The media timeline keeps ~50 bytes per event in memory for the length
 * of the build, so 500k events cost ~25 MB; the longest recorded sessions hold a few tens of thousands.
 */
export const MAX_ARCHIVE_EVENTS = 500_000;
/** Room left below ZIP's 4 GiB for the JSON entries, headers and the central directory. */
const JSON_HEADROOM_BYTES = 512 * 1024 * 1024;
/**
 * Writing 4 GiB to S3 at a modest 20 MB/s takes under 4 minutes; 30 leaves a loaded machine room, and a
 * build stuck on a dead connection is still ended the same morning.
 */
const ARCHIVE_TIMEOUT_MS = 30 * 60_000;

/** What the archive job works with. */
export interface SessionArchiveDeps {
  db: Kysely<Database>;
  blobs: BlobStore;
  /** The server's per-session media limits (MAX_SCREENSHOTS_PER_SESSION, MAX_CHUNKS_PER_SESSION). */
  maxScreenshotsPerSession: number;
  maxChunksPerSession: number;
}

/** Where an attempt's archive goes: unique per attempt, so a stale attempt can never replace a newer one's. */
export function archiveBlobKey(sessionId: string, jobId: string, attempt: number): string {
  return `archives/${sessionId}/${jobId}-${attempt}.zip`;
}

/** A failure no retry can change. */
const permanent = (code: string, message: string) => ({
  ok: false as const,
  error: { code, message, permanent: true } satisfies JobFailure,
});
const tooLarge = (message: string) => permanent('payload_too_large', message);

/**
 * The session archive job (the legacy SessionArchive): builds the session's ZIP
 * ({@link buildSessionArchive}) and streams it into the blob store under {@link archiveBlobKey}, hashing
 * it on the way, then records it in `session_archives`. Sessions past the bounds are refused before any
 * byte is read. Result: `{ archiveId, blobKey, bytes, sha256, counts }`.
 */
export function sessionArchiveJob(deps: SessionArchiveDeps): JobKind {
  const { db, blobs } = deps;
  return defineJobKind({
    kind: SESSION_ARCHIVE_KIND,
    payload: SessionArchivePayloadSchema,
    timeoutMs: ARCHIVE_TIMEOUT_MS,
    maxAttempts: 3,
    backoff: DEFAULT_BACKOFF,
    async run({ sessionId }, context) {
      const row = await getSessionView(db, sessionId);
      if (!row) return permanent('unknown_session', `no session ${sessionId}`);
      if (!blobs.putStream) return permanent('unsupported', 'the blob store cannot store a stream');
      const content = await countArchiveContent(db, sessionId);
      if (content.events > MAX_ARCHIVE_EVENTS)
        return tooLarge(`${content.events} events; an archive takes at most ${MAX_ARCHIVE_EVENTS}`);
      if (content.screenshots > deps.maxScreenshotsPerSession)
        return tooLarge(`${content.screenshots} screenshots, over the per-session limit`);
      if (Math.max(content.audioChunks, content.videoChunks) > deps.maxChunksPerSession)
        return tooLarge('more media chunks than the per-session limit');
      if (content.mediaBytes > ZIP32_LIMIT - JSON_HEADROOM_BYTES)
        return tooLarge(`${content.mediaBytes} bytes of media: over what a ZIP without ZIP64 holds`);

      const createdAt = context.clock.now();
      const blobKey = archiveBlobKey(sessionId, context.jobId, context.attempt);
      const hash = createHash('sha256');
      let counts: ZipManifest['counts'] | undefined;
      const zip = buildSessionArchive({
        session: toExportSession(row),
        counts: content,
        events: (upTo) => sessionEvents(db, sessionId, upTo),
        screenshots: () => sessionScreenshots(db, sessionId),
        chunks: (track) => sessionChunks(db, track, sessionId),
        readBlob: (key) => blobPieces(blobs, key),
        createdAt: new Date(createdAt),
        signal: context.signal,
        onProgress: (fraction) => context.reportProgress(fraction),
        onCounts: (written) => (counts = written),
      });
      async function* hashed() {
        for await (const piece of zip) {
          hash.update(piece);
          yield piece;
        }
      }
      const { bytes } = await blobs.putStream(blobKey, hashed(), 'application/zip');
      const sha256 = hash.digest('hex');
      const record = { id: context.jobId, sessionId, blobKey, sha256, bytes, createdAt };
      if (context.signal.aborted || !(await recordArchive(db, record, context.attempt))) {
        // This attempt is no longer the job's: its file is nobody's.
        await blobs.delete(blobKey);
        return permanent('attempt_over', 'the attempt ended (timeout or shutdown) before the archive was recorded');
      }
      return ok({
        archiveId: context.jobId,
        blobKey,
        bytes,
        sha256,
        counts,
      });
    },
  });
}
