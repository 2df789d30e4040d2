import { Hono } from 'hono';
import * as v from 'valibot';
import { requireAuth } from '../auth/require-auth';
import { isValidBlobKey } from '../blobs/blob-key';
import { countRange, DatasetQuerySchema } from '../exports/dataset-stream';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { readValidQuery } from '../http/read-body';
import { streamBytesResponse } from '../http/stream-response';
import { blobPieces } from '../jobs/archive/archive-sources';
import {
  DATASET_EXPORT_KIND,
  exportDedupeKey,
  EXPORT_FORMATS,
  MAX_EXPORT_SESSIONS,
  type DatasetExportPayload,
} from '../jobs/exports/dataset-export-job';
import { listJobs } from '../jobs/job-list';
import { getJob } from '../jobs/job-store';
import { toJobView } from '../jobs/job-view';
import type { RouteDeps } from './route-deps';

/** Job ids are UUIDs; anything else is answered 404 without a query. */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Exports listed by `GET /admin/exports`: the console shows the recent ones. */
const RECENT_EXPORTS = 20;

/** What a finished export's job result must hold for its file to be served. */
const ExportResultSchema = v.object({
  blobKey: v.pipe(
    v.string(),
    v.check((key) => key.startsWith('exports/') && isValidBlobKey(key)),
  ),
  bytes: v.number(),
  sha256: v.string(),
  sessions: v.number(),
  lines: v.number(),
});

/**
 * Dataset exports as background jobs (admin JWT or console session), mounted at `/api`:
 * `POST /admin/exports?format=&from=&to=&worker=` (format `dataset-jsonl`, the default, or `legacy-jsonl`) counts the range (413 past {@link MAX_EXPORT_SESSIONS}) and
 * enqueues a `dataset-export` job (the same range again while it runs returns that job), answering
 * 202 with the job and the range's totals; `GET /admin/exports` lists the recent export jobs with
 * their progress; `GET /admin/exports/:id/download` streams the finished file, or says why there is
 * none (409 while it is written or after it failed, 404 when gone). The range is the one
 * `GET /admin/dataset.jsonl` takes, and the file holds the same bytes.
 */
export function exportRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireAuth('admin');

  app.post('/admin/exports', admin, async (c) => {
    const query = readValidQuery(c, DatasetQuerySchema);
    if (!query.ok) return refusalResponse(c, query.error);
    const format = c.req.query('format') ?? 'dataset-jsonl';
    if (!(EXPORT_FORMATS as readonly string[]).includes(format))
      return errorResponse(c, 'bad_request', `format must be one of ${EXPORT_FORMATS.join(', ')}`);
    const payload: DatasetExportPayload = { format: format as DatasetExportPayload['format'], ...query.value };
    const totals = await countRange(deps.db, payload);
    if (totals.sessions > MAX_EXPORT_SESSIONS)
      return errorResponse(
        c,
        'payload_too_large',
        `the range holds ${totals.sessions} sessions; an export takes at most ${MAX_EXPORT_SESSIONS}: narrow it`,
      );
    const queued = await deps.jobQueue.enqueue(DATASET_EXPORT_KIND, payload, { dedupeKey: exportDedupeKey(payload) });
    if (!queued.ok) return errorResponse(c, 'internal', `could not enqueue the export: ${queued.error.message}`);
    const { job, created } = queued.value;
    if (created) deps.logger.info('export_requested', { jobId: job.id, format, ...query.value });
    return c.json({ job: toJobView(job), created, totals }, 202);
  });

  app.get('/admin/exports', admin, async (c) => {
    const page = await listJobs(deps.db, { kind: DATASET_EXPORT_KIND, limit: RECENT_EXPORTS });
    return c.json({ exports: page.jobs.map(toJobView) });
  });

  app.get('/admin/exports/:id/download', admin, async (c) => {
    const id = c.req.param('id');
    const job = JOB_ID.test(id) ? await getJob(deps.db, id) : undefined;
    if (job?.kind !== DATASET_EXPORT_KIND) return errorResponse(c, 'not_found', 'no such export');
    if (job.state === 'failed')
      return errorResponse(c, 'conflict', `the export failed (${job.last_error ?? 'no error recorded'})`);
    if (job.state !== 'succeeded') {
      const progress = Math.round(job.progress * 100);
      return errorResponse(c, 'conflict', `the export is being written (${job.state}, ${progress} %): try again later`);
    }
    const result = v.safeParse(ExportResultSchema, job.result);
    if (!result.success) return errorResponse(c, 'not_found', 'the export recorded no file');
    const file = result.output;
    if (!(await deps.blobs.head(file.blobKey)))
      return errorResponse(c, 'not_found', 'the export file is gone from the blob store: export the range again');
    return streamBytesResponse(blobPieces(deps.blobs, file.blobKey), deps.logger, `export ${job.id}`, {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Content-Length': String(file.bytes),
      'Content-Disposition': `attachment; filename="${formatOf(job.payload)}-${job.id}.jsonl"`,
      'X-Export-Sha256': file.sha256,
      'X-Total-Sessions': String(file.sessions),
    });
  });

  return app;
}

/** The export's format as its payload names it (a file name part: one of {@link EXPORT_FORMATS}). */
function formatOf(payload: unknown): string {
  const format = (payload as { format?: unknown } | null)?.format;
  return EXPORT_FORMATS.find((f) => f === format) ?? 'export';
}
