import { Hono } from 'hono';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { streamBytesResponse } from '../http/stream-response';
import { archiveDedupeKey, latestArchive, latestArchiveJob } from '../jobs/archive/archive-records';
import { blobPieces } from '../jobs/archive/archive-sources';
import { SESSION_ARCHIVE_KIND } from '../jobs/archive/session-archive-job';
import type { JobQueue } from '../jobs/job-queue';
import { toJobView } from '../jobs/job-view';
import type { RouteDeps } from './route-deps';
import { sessionFor } from './session-access';

/**
 * Session archives (admin JWT), mounted at `/api`: `POST /admin/sessions/:id/archive` enqueues the
 * build (one per session at a time: a second POST while it is queued or running returns that job) and
 * answers 202 with the job; `GET /admin/sessions/:id/archive` downloads the newest built archive, or
 * says why there is none: 404 when none was asked for, 409 while one is being built or after the last
 * build failed.
 */
export function archiveRoutes(deps: RouteDeps, queue: JobQueue): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireAuth('admin');

  app.post('/admin/sessions/:id/archive', admin, async (c) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    const sessionId = found.value.id;
    const queued = await queue.enqueue(SESSION_ARCHIVE_KIND, { sessionId }, { dedupeKey: archiveDedupeKey(sessionId) });
    if (!queued.ok) return errorResponse(c, 'internal', `could not enqueue the archive: ${queued.error.message}`);
    const { job, created } = queued.value;
    if (created) deps.logger.info('archive_requested', { sessionId, jobId: job.id });
    return c.json({ job: toJobView(job), created }, 202);
  });

  app.get('/admin/sessions/:id/archive', admin, async (c) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    const sessionId = found.value.id;
    const archive = await latestArchive(deps.db, sessionId);
    if (archive) {
      const exists = await deps.blobs.head(archive.blob_key);
      if (!exists)
        return errorResponse(c, 'not_found', 'the archive file is missing from the blob store; build it again');
      return streamBytesResponse(blobPieces(deps.blobs, archive.blob_key), deps.logger, `archive ${archive.id}`, {
        'Content-Type': 'application/zip',
        'Content-Length': String(archive.bytes),
        'Content-Disposition': `attachment; filename="${sessionId}.zip"`,
        'X-Archive-Sha256': archive.sha256,
        'X-Archive-Created-At': archive.created_at.toISOString(),
      });
    }
    const job = await latestArchiveJob(deps.db, sessionId);
    const build = `POST /api/admin/sessions/${sessionId}/archive`;
    if (!job) return errorResponse(c, 'not_found', `no archive of this session yet: ${build} to build one`);
    if (job.state === 'failed')
      return errorResponse(
        c,
        'conflict',
        `the last archive build failed (${job.last_error ?? 'no error recorded'}): ${build} to try again`,
      );
    if (job.state === 'succeeded')
      return errorResponse(c, 'not_found', `the archive built by job ${job.id} is gone: ${build} to build it again`);
    const progress = Math.round(job.progress * 100);
    return errorResponse(
      c,
      'conflict',
      `the archive is being built (job ${job.id}, ${job.state}, ${progress} %): try again once GET /api/admin/jobs/${job.id} says succeeded`,
    );
  });

  return app;
}
