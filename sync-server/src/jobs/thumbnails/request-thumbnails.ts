import type { Clock } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { Logger } from '../../log';
import { workerJobOwner, type JobQueue } from '../job-queue';
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

/**
 * The dedupe keys of a session's thumbnail job. One live job per key; the second key is used only while
 * a job under the first is running: that job may have read the session's pending frames for the last
 * time already, so a frame verified now needs a job that has not started yet.
 */
export function thumbnailsDedupeKey(sessionId: string, next = false): string {
  return `thumbnails:${sessionId}${next ? ':next' : ''}`;
}

/** Asks for a session's thumbnails. Never throws: a thumbnail is never worth failing an upload or a page. */
export interface ThumbnailRequests {
  /**
   * After a screenshot of the session was verified: a job that has not started yet runs after
   * {@link THUMBNAILS_DELAY_MS} (the waiting one, or a new one, also while another is running), as a
   * job of `workerId`, who uploaded it: workers take turns in the queue.
   */
  afterUpload(sessionId: string, workerId: string): Promise<void>;
  /** Someone is looking at the session: unless one is running, the job runs now (a waiting one is brought forward). */
  now(sessionId: string): Promise<void>;
}

/** Thumbnail requests through `queue`. */
export function createThumbnailRequests(deps: {
  queue: JobQueue;
  db: Kysely<Database>;
  clock: Clock;
  logger: Logger;
}): ThumbnailRequests {
  const enqueue = async (sessionId: string, delayMs: number, next = false, workerId?: string) => {
    const queued = await deps.queue.enqueue(
      SCREENSHOT_THUMBNAILS_KIND,
      { sessionId },
      {
        dedupeKey: thumbnailsDedupeKey(sessionId, next),
        delayMs,
        ...(workerId === undefined ? {} : { ownerKey: workerJobOwner(workerId) }),
      },
    );
    if (!queued.ok) throw new Error(queued.error.message);
    return queued.value;
  };
  const guarded =
    <A extends unknown[]>(what: string, work: (sessionId: string, ...rest: A) => Promise<void>) =>
    async (sessionId: string, ...rest: A) => {
      try {
        await work(sessionId, ...rest);
      } catch (error) {
        deps.logger.warn('thumbnails_request_failed', { sessionId, what, error });
      }
    };
  return {
    afterUpload: guarded('after_upload', async (sessionId, workerId: string) => {
      const { job } = await enqueue(sessionId, THUMBNAILS_DELAY_MS, false, workerId);
      if (job.state === 'running') await enqueue(sessionId, THUMBNAILS_DELAY_MS, true, workerId);
    }),
    now: guarded('now', async (sessionId) => {
      const { job, created } = await enqueue(sessionId, 0);
      if (!created && job.state === 'queued') await makeJobDueNow(deps.db, job.id, deps.clock.now());
    }),
  };
}
