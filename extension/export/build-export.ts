import type { AppDB } from '../db';
import { eventPages, screenshotsWithBlobs } from '../db/session-reader';
import { collectToBlob } from './byte-streams';
import { downloadFileName } from './download-file-name';
import { sessionJsonStream } from './session-json';
import { trackChunksWithBlobs } from './track-chunks';
import { zipSession } from './zip-session';

/** How long an export's object URL stays valid: ample for chrome.downloads to read a local blob. */
export const OBJECT_URL_LIFETIME_MS = 10 * 60_000;

/**
 * Builds a session's JSON or ZIP export as a Blob. The bytes are streamed from IndexedDB into the
 * Blob (Chrome spills large blobs to disk), so a long session is never one string in memory.
 */
export async function buildExport(
  db: AppDB,
  sessionId: string,
  format: 'json' | 'zip',
): Promise<{ blob: Blob; filename: string }> {
  const session = await db.sessions.get(sessionId);
  if (!session) throw new Error(`no session ${sessionId}`);
  const events = () => eventPages(db, sessionId);
  const stream =
    format === 'json'
      ? sessionJsonStream({ session, events })
      : zipSession({
          session,
          events,
          screenshots: () => screenshotsWithBlobs(db, sessionId),
          audioChunks: () => trackChunksWithBlobs(db, 'audio', sessionId),
          videoChunks: () => trackChunksWithBlobs(db, 'video', sessionId),
        });
  const blob = await collectToBlob(stream, format === 'json' ? 'application/json' : 'application/zip');
  return { blob, filename: downloadFileName(sessionId, format) };
}
