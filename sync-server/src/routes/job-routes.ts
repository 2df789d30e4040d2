import { Hono } from 'hono';
import * as v from 'valibot';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { readValidQuery } from '../http/read-body';
import { decodeJobCursor, listJobs } from '../jobs/job-list';
import { countJobsByState, getJob } from '../jobs/job-store';
import { toJobView } from '../jobs/job-view';
import { PageCursorSchema, PageLimitSchema } from './pagination';
import type { RouteDeps } from './route-deps';

const JobsQuerySchema = v.object({
  state: v.optional(
    v.picklist(['queued', 'running', 'succeeded', 'failed'], 'state must be queued, running, succeeded or failed'),
  ),
  kind: v.optional(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]{0,63}$/, 'kind must be a job kind name'))),
  limit: PageLimitSchema,
  cursor: PageCursorSchema,
});

/** Job ids are UUIDs; anything else is answered 404 without a query. */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The job admin API (admin JWT), mounted at `/api`: `GET /admin/jobs` (newest first, by state and kind,
 * keyset-paginated), `GET /admin/jobs/counts` (jobs per state) and `GET /admin/jobs/:id`.
 */
export function jobRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireAuth('admin');

  app.get('/admin/jobs', admin, async (c) => {
    const query = readValidQuery(c, JobsQuerySchema);
    if (!query.ok) return refusalResponse(c, query.error);
    const { state, kind, limit, cursor } = query.value;
    const after = cursor === undefined ? undefined : decodeJobCursor(cursor);
    if (after === null) return errorResponse(c, 'bad_request', 'cursor is not a cursor this server issued');
    const page = await listJobs(deps.db, { state, kind, limit, cursor: after });
    return c.json({ jobs: page.jobs.map(toJobView), nextCursor: page.nextCursor });
  });

  app.get('/admin/jobs/counts', admin, async (c) => c.json({ counts: await countJobsByState(deps.db) }));

  app.get('/admin/jobs/:id', admin, async (c) => {
    const id = c.req.param('id');
    const row = JOB_ID.test(id) ? await getJob(deps.db, id) : undefined;
    if (!row) return errorResponse(c, 'not_found', 'no such job');
    return c.json({ job: toJobView(row) });
  });

  return app;
}
