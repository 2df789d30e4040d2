import { Hono } from 'hono';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import type { JobQueue } from '../jobs/job-queue';
import { makeJobDueNow } from '../jobs/job-store';
import { toJobView } from '../jobs/job-view';
import { analysisDedupeKey, latestAnalysisJob, listAnalyses } from '../jobs/vision/analysis-records';
import { SCREENSHOT_ANALYSIS_KIND } from '../jobs/vision/screenshot-analysis-job';
import { toScreenshotAnalysisView, type SessionAnalysisView } from './analysis-views';
import type { RouteDeps } from './route-deps';
import { sessionFor } from './session-access';

/**
 * Most analyses one GET returns. A session has at most VISION_MAX_SCREENSHOTS_PER_SESSION per model
 * (60 by default), so this holds a few models' worth; `more` says when there are others.
 */
const MAX_ANALYSES_LISTED = 1000;

/**
 * The screenshot analysis of a session (admin only), mounted at `/api`: `POST
 * /admin/sessions/:id/analysis` runs the analysis now (202 with the job; a waiting or running one is
 * returned, brought forward when it was waiting; 409 when analysis is off), `GET` the same path answers
 * the stored analyses, whether analysis is on, and the newest job's state.
 */
export function analysisRoutes(deps: RouteDeps, queue: JobQueue): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireAuth('admin');
  const vision = deps.settings.vision;

  app.post('/admin/sessions/:id/analysis', admin, async (c) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    if (!vision)
      return errorResponse(
        c,
        'conflict',
        'screenshot analysis is off on this server: set VISION_API_URL and VISION_API_KEY to turn it on (docs/server.md)',
      );
    const sessionId = found.value.id;
    const queued = await queue.enqueue(
      SCREENSHOT_ANALYSIS_KIND,
      { sessionId },
      { dedupeKey: analysisDedupeKey(sessionId) },
    );
    if (!queued.ok) return errorResponse(c, 'internal', `could not enqueue the analysis: ${queued.error.message}`);
    let { job } = queued.value;
    const { created } = queued.value;
    // A job waiting for its after-close delay or a retry's backoff: someone asked for it now.
    if (!created && job.state === 'queued') {
      await makeJobDueNow(deps.db, job.id, deps.clock.now());
      job = (await latestAnalysisJob(deps.db, sessionId)) ?? job;
    }
    if (created) deps.logger.info('analysis_requested', { sessionId, jobId: job.id });
    return c.json({ job: toJobView(job), created }, 202);
  });

  app.get('/admin/sessions/:id/analysis', admin, async (c) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    const sessionId = found.value.id;
    const [job, listed] = await Promise.all([
      latestAnalysisJob(deps.db, sessionId),
      listAnalyses(deps.db, sessionId, MAX_ANALYSES_LISTED),
    ]);
    const body: SessionAnalysisView = {
      enabled: vision !== undefined,
      model: vision?.model ?? null,
      job: job ? toJobView(job) : null,
      analyses: listed.rows.map(toScreenshotAnalysisView),
      more: listed.more,
    };
    return c.json(body);
  });

  return app;
}
