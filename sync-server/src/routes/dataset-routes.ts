import { SESSION_ID_PATTERN } from '@codesight/schema';
import { Hono } from 'hono';
import { requireAuth } from '../auth/require-auth';
import {
  countRange,
  DATASET_SESSION_COLUMNS,
  DatasetQuerySchema,
  linePieces,
  sessionDatasetLines,
  sessionsInRange,
  utf8,
} from '../exports/dataset-stream';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { readValidQuery } from '../http/read-body';
import { streamBytesResponse } from '../http/stream-response';
import type { RouteDeps } from './route-deps';
import { NO_SUCH_SESSION } from './session-access';

/**
 * The JSONL training dataset (docs/formats.md, "JSONL dataset"), for admins: one session's lines, or
 * every session's that started in a time range (optionally one worker's). Both are streamed at the
 * client's pace (exports/dataset-stream.ts); a range too large to wait for is an export job instead
 * (export-routes.ts).
 */

const NDJSON = 'application/x-ndjson; charset=utf-8';

/** `GET /admin/sessions/:id/dataset.jsonl` and `GET /admin/dataset.jsonl?from=&to=&worker=`; mounted at `/api`. */
export function datasetRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Per route, not `use('/admin/*')`: mounted at /api, that would also guard other modules' /api/admin routes.
  const admin = requireAuth('admin');

  app.get('/admin/sessions/:id/dataset.jsonl', admin, async (c) => {
    const id = c.req.param('id');
    if (!SESSION_ID_PATTERN.test(id))
      return errorResponse(c, 'bad_request', 'session id must be 1-64 characters of A-Z, a-z, 0-9, _ or -');
    const row = await deps.db
      .selectFrom('sessions')
      .select(DATASET_SESSION_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return errorResponse(c, 'not_found', NO_SUCH_SESSION);
    return streamBytesResponse(utf8(linePieces(sessionDatasetLines(deps, row))), deps.logger, `dataset ${id}`, {
      'Content-Type': NDJSON,
      'X-Total-Events': String(row.event_count),
      'X-Total-Sessions': '1',
    });
  });

  app.get('/admin/dataset.jsonl', admin, async (c) => {
    const query = readValidQuery(c, DatasetQuerySchema);
    if (!query.ok) return refusalResponse(c, query.error);
    const totals = await countRange(deps.db, query.value);
    const lines = (async function* () {
      for await (const row of sessionsInRange(deps.db, query.value)) yield* sessionDatasetLines(deps, row);
    })();
    return streamBytesResponse(utf8(linePieces(lines)), deps.logger, 'dataset', {
      'Content-Type': NDJSON,
      'X-Total-Events': String(totals.events),
      'X-Total-Sessions': String(totals.sessions),
    });
  });

  return app;
}
