import { Hono, type Context } from 'hono';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { refusalResponse } from '../http/errors';
import { createPrivacyReportCache } from '../privacy/report-cache';
import type { RouteDeps } from './route-deps';
import { sessionFor } from './session-access';

/**
 * A session's privacy report (issue 14): counts of what the client and the server masked, by rule and
 * location, never the content. `GET /api/sessions/:id/privacy` answers a worker for their own session
 * (the popup after Stop) and an admin for any; `GET /api/admin/sessions/:id/privacy` is the admin's
 * path. Another worker's session is refused like a missing one. Mounted at `/api`.
 */
export function privacyRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const reports = createPrivacyReportCache();
  const report = async (c: Context<AppEnv>) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id') ?? '');
    if (!found.ok) return refusalResponse(c, found.error);
    c.header('Cache-Control', 'no-store');
    return c.json(await reports.read(deps.db, found.value.id));
  };
  app.get('/sessions/:id/privacy', requireAuth('any'), report);
  app.get('/admin/sessions/:id/privacy', requireAuth('admin'), report);
  return app;
}
