import type { Logger } from '../../log';
import { workerJobOwner, type JobQueue } from '../job-queue';
import { analysisDedupeKey } from './analysis-records';
import { SCREENSHOT_ANALYSIS_KIND } from './screenshot-analysis-job';

/**
 * How long after a session closes complete its analysis waits: the extension may still be uploading
 * the last bursts (media trails events), and a job that ran at once would miss them.
 */
export const ANALYSIS_AFTER_CLOSE_DELAY_MS = 2 * 60_000;

/**
 * Starts a session's analysis when it closes complete, as a job of the worker who recorded it (workers
 * take turns in the queue). Never throws: an analysis never fails a close.
 */
export type AnalysisOnClose = (sessionId: string, workerId: string) => Promise<void>;

/** Enqueues the analysis of sessions that close complete through `queue` (dedupe: one live job per session). */
export function analyseOnClose(queue: JobQueue, logger: Logger): AnalysisOnClose {
  return async (sessionId, workerId) => {
    try {
      const queued = await queue.enqueue(
        SCREENSHOT_ANALYSIS_KIND,
        { sessionId },
        {
          dedupeKey: analysisDedupeKey(sessionId),
          delayMs: ANALYSIS_AFTER_CLOSE_DELAY_MS,
          ownerKey: workerJobOwner(workerId),
        },
      );
      if (!queued.ok) throw new Error(queued.error.message);
      if (queued.value.created) logger.info('analysis_enqueued', { sessionId, jobId: queued.value.job.id });
    } catch (error) {
      logger.warn('analysis_enqueue_failed', { sessionId, error });
    }
  };
}
