import type { Context } from 'hono';
import type { AppEnv } from '../http/app-env';
import { refusalResponse } from '../http/errors';
import { readValidQuery } from '../http/read-body';
import { listSessions } from '../ingest/read-sessions';
import { PageQuerySchema } from './pagination';
import type { RouteDeps } from './route-deps';
import { listingScope } from './session-access';
import { toSessionSummary } from './session-views';

/**
 * `GET …/sessions?limit=&cursor=&workerId=`: one page of session summaries, newest first. Served at both
 * the legacy `/api/sessions` and `/api/extension/sessions`, which answer the same; a worker sees their
 * own sessions, an admin everyone's (or one worker's).
 */
export function listSessionsHandler(deps: RouteDeps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const query = readValidQuery(c, PageQuerySchema);
    if (!query.ok) return refusalResponse(c, query.error);
    const page = await listSessions(deps.db, {
      workerId: listingScope(c.get('principal'), query.value.workerId),
      limit: query.value.limit,
      cursor: query.value.cursor,
    });
    if (!page.ok) return refusalResponse(c, page.error);
    return c.json({ sessions: page.value.sessions.map(toSessionSummary), nextCursor: page.value.nextCursor });
  };
}
