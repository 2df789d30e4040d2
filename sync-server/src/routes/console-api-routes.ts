import { Hono } from 'hono';
import { sql } from 'kysely';
import { credentialChanges } from '../auth/credential-changes';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { readValidQuery } from '../http/read-body';
import { serveConsoleScreenshot, screenshotSizeOf } from './console-screenshot';
import { consoleSessionDetail } from './console-session-detail';
import type { ConsoleOverview } from './console-views';
import { ConsoleSessionsQuerySchema, listConsoleSessions } from './console-sessions';
import type { RouteDeps } from './route-deps';
import { sessionFor } from './session-access';
import { toSessionSummary } from './session-views';

/** Worker ids are UUIDs or the dev worker's fixed id; anything longer is refused without a query. */
const MAX_WORKER_ID = 128;

/**
 * The admin console's own API (admin JWT or console session), mounted at `/api`:
 * `GET /admin/console/overview` (live connections, this instance's ingest counters, sessions started
 * today, database size), `GET /admin/console/workers/session-counts` (sessions per worker),
 * `GET /admin/console/sessions` (filtered keyset list),
 * `GET /admin/console/sessions/:id` (timeline, quality flags, narration extent),
 * `GET /admin/console/sessions/:id/screenshots/:shotId[?size=thumb]` (the image or its thumbnail through this
 * server, whatever the blob store: the console's CSP allows images from this origin only, and S3 URLs are not
 * browser-readable; see console-screenshot.ts) and
 * `POST /workers/:id/disable` / `enable`.
 */
export function consoleApiRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireAuth('admin');

  app.get('/admin/console/overview', admin, async (c) => {
    const today = new Date(deps.clock.now());
    today.setUTCHours(0, 0, 0, 0);
    const started = await deps.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('start_time', '>=', today)
      .executeTakeFirstOrThrow();
    return c.json<ConsoleOverview>({
      connections: deps.connections.counts(),
      ingest: deps.ingestMetrics.snapshot(),
      sessionsToday: Number(started.n),
      todayStartsAt: today.toISOString(),
      databaseBytes: await databaseBytes(deps),
    });
  });

  app.get('/admin/console/workers/session-counts', admin, async (c) => {
    // An index-only scan of sessions_worker_start_idx: no session row is read.
    const rows = await deps.db
      .selectFrom('sessions')
      .select(['worker_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('worker_id')
      .execute();
    return c.json({ sessions: Object.fromEntries(rows.map((r) => [r.worker_id, Number(r.n)])) });
  });

  app.get('/admin/console/sessions', admin, async (c) => {
    const query = readValidQuery(c, ConsoleSessionsQuerySchema);
    if (!query.ok) return refusalResponse(c, query.error);
    const page = await listConsoleSessions(deps.db, query.value);
    if (!page.ok) return refusalResponse(c, page.error);
    return c.json({
      sessions: page.value.sessions.map((row) => ({ ...toSessionSummary(row), hasNarration: row.has_narration })),
      nextCursor: page.value.nextCursor,
    });
  });

  app.get('/admin/console/sessions/:id', admin, async (c) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    return c.json(await consoleSessionDetail(deps.db, found.value));
  });

  app.get('/admin/console/sessions/:id/screenshots/:shotId', admin, async (c) => {
    const size = screenshotSizeOf(c.req.query('size'));
    if (!size) return errorResponse(c, 'bad_request', 'size must be thumb or full');
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    return serveConsoleScreenshot(c, deps, found.value.id, c.req.param('shotId'), size);
  });

  const setDisabled = (disabled: boolean) =>
    app.post(`/workers/:id/${disabled ? 'disable' : 'enable'}`, admin, async (c) => {
      const workerId = c.req.param('id');
      if (workerId.length > MAX_WORKER_ID) return errorResponse(c, 'not_found', 'no such worker');
      const updated = await deps.db
        .updateTable('workers')
        .set({ disabled_at: disabled ? new Date(deps.clock.now()) : null })
        .where('id', '=', workerId)
        .returning(['id', 'disabled_at'])
        .executeTakeFirst();
      if (!updated) return errorResponse(c, 'not_found', 'no such worker');
      // The workers trigger tells other instances; this one closes the worker's sockets now.
      if (disabled) credentialChanges(deps.db).publish({ workerId });
      deps.logger.info(disabled ? 'worker_disabled' : 'worker_enabled', { workerId });
      return c.json({ workerId, disabledAt: updated.disabled_at ? updated.disabled_at.toISOString() : null });
    });
  setDisabled(true);
  setDisabled(false);

  return app;
}

/** The database's size on disk; null where the engine cannot tell (then the console says so). */
async function databaseBytes(deps: RouteDeps): Promise<number | null> {
  try {
    const result = await sql<{ bytes: number }>`select pg_database_size(current_database()) as bytes`.execute(deps.db);
    const bytes = result.rows[0]?.bytes;
    return bytes === undefined ? null : Number(bytes);
  } catch {
    return null;
  }
}
