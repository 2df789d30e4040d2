import type { Clock } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../log';
import type { JobQueue } from '../job-queue';
import { makeJobDueNow } from '../job-store';

/** The job kind that makes a session's screenshot thumbnails. */
export const SCREENSHOT_THUMBNAILS_KIND = 'screenshot-thumbnails';

/**
 * How long after a verified screenshot its session's thumbnail job waits: a recording session uploads
 * a burst per click, and one job a minute per session thumbnails them together instead of one job (and
 * one `jobs` row) per frame. The console shows the full frame meanwhile, and asks for the job to run
 * at once when an operator opens the session.
 */
export const THUMBNAILS_DELAY_MS = 60_000;

/** One live thumbnail job per session: a request while one is queued or running finds that one. */
export function thumbnailsDedupeKey(sessionId: string): string {
  return `thumbnails:${sessionId}`;
}

/** Asks for a session's thumbnails. Never throws: a thumbnail is never worth failing an upload or a page. */
export interface ThumbnailRequests {
  /** After a screenshot of the session was verified: the job runs after {@link THUMBNAILS_DELAY_MS}. */
  afterUpload(sessionId: string): Promise<void>;
  /** Someone is looking at the session: the job runs now (a waiting one is brought forward). */
  now(sessionId: string): Promise<void>;
}

/** Thumbnail requests through `queue`. */
export function createThumbnailRequests(deps: {
  queue: JobQueue;
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
}): ThumbnailRequests {
  const enqueue = async (sessionId: string, delayMs: number) => {
    const queued = await deps.queue.enqueue(
      SCREENSHOT_THUMBNAILS_KIND,
      { sessionId },
      { dedupeKey: thumbnailsDedupeKey(sessionId), delayMs },
    );
    if (!queued.ok) throw new Error(queued.error.message);
    return queued.value;
  };
  const guarded = (what: string, work: (sessionId: string) => Promise<void>) => async (sessionId: string) => {
    try {
      await work(sessionId);
    } catch (error) {
      deps.logger.warn('thumbnails_request_failed', { sessionId, what, error });
    }
  };
  return {
    afterUpload: guarded('after_upload', async (sessionId) => {
      await enqueue(sessionId, THUMBNAILS_DELAY_MS);
    }),
    now: guarded('now', async (sessionId) => {
      const { job, created } = await enqueue(sessionId, 0);
      if (!created) await makeJobDueNow(deps.db, job.id, deps.clock.now());
    }),
  };
}
