import { err, ok, type Clock, type Result } from '@codesight/schema';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppEnv } from '../http/app-env';
import type { Readiness } from '../http/readiness';
import { waitAtMost } from '../timers';
import type { RouteDeps } from './route-deps';

/** A dependency check slower than this counts as down: a health probe must answer quickly. */
const CHECK_TIMEOUT_MS = 3000;

/** Runs one dependency check; fails with what it threw, or with a timeout. */
async function probe(clock: Clock, check: () => Promise<unknown>): Promise<Result<undefined, unknown>> {
  try {
    if (await waitAtMost(clock, CHECK_TIMEOUT_MS, check())) return ok();
    return err(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`));
  } catch (error) {
    return err(error);
  }
}

/**
 * Public health endpoints. `/health` is liveness (the process answers). `/health/ready` is the load
 * balancer's readiness: 200 only while this instance serves, 503 while it migrates at start or drains
 * at shutdown; it reads that state only, never the database, so a database outage does not take every
 * instance out of the pool at once (the requests would fail anyway) and a probe costs nothing.
 * `/api/health` is the legacy dependency check, querying the database and the blob store (503 when
 * either is down). Failure details go to the log, not to the anonymous caller.
 */
export function healthRoutes(
  deps: RouteDeps,
  readiness: () => Readiness = () => (deps.isShuttingDown() ? 'draining' : 'ready'),
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/health/ready', (c) => {
    const state = readiness();
    if (state === 'ready') return c.json({ status: state });
    const why = state === 'starting' ? 'applying database migrations' : 'shutting down';
    return c.json({ status: state, error: { code: 'unavailable', message: `not ready: ${why}` } }, 503, {
      'Retry-After': '5',
    });
  });

  app.get('/health', (c) =>
    c.json({
      status: 'ok',
      uptimeSeconds: Math.round((deps.clock.now() - deps.startedAt) / 1000),
      timestamp: new Date().toISOString(),
    }),
  );

  app.get('/api/health', async (c) => {
    const [database, storage] = await Promise.all([
      probe(deps.clock, () => sql`select 1`.execute(deps.db)),
      probe(deps.clock, () => deps.blobs.check()),
    ]);
    if (!database.ok) deps.logger.error('health_database_failed', { error: database.error });
    if (!storage.ok) deps.logger.error('health_storage_failed', { error: storage.error });
    const healthy = database.ok && storage.ok;
    return c.json(
      {
        status: healthy ? 'healthy' : 'unhealthy',
        services: {
          database: database.ok ? 'connected' : 'disconnected',
          storage: storage.ok ? 'connected' : 'disconnected',
          websocket: { connections: deps.connections.counts().open },
        },
        databaseKind: deps.dbKind,
        blobStore: deps.blobs.kind,
        timestamp: new Date().toISOString(),
      },
      healthy ? 200 : 503,
    );
  });

  return app;
}
