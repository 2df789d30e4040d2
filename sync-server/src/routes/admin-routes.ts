import { Hono } from 'hono';
import * as v from 'valibot';
import { createWorkerWithKey, issueApiKey, listWorkers, revokeApiKey } from '../auth/api-keys';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { readValidBody, readValidQuery } from '../http/read-body';
import { countAll, recentActivity } from '../ingest/read-sessions';
import { PageLimitSchema } from './pagination';
import type { RouteDeps } from './route-deps';
import { toSessionSummary } from './session-views';

const CreateWorkerSchema = v.object({
  name: v.pipe(
    v.string('name must be a string'),
    v.trim(),
    v.minLength(1, 'name must not be empty'),
    v.maxLength(200, 'name is too long'),
  ),
});

const RecentQuerySchema = v.object({ limit: PageLimitSchema });

/**
 * Admin routes (admin JWT): status, counts, recent activity and worker/key management. Mounted at
 * `/api`; each route carries its own path, since the legacy ones do not share a prefix.
 */
export function adminRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireAuth('admin');
  const max = deps.settings.maxInflatedBytes;

  app.get('/status', admin, async (c) => {
    const counts = await countAll(deps.db);
    return c.json({
      status: 'ok',
      uptimeSeconds: Math.round((deps.clock.now() - deps.startedAt) / 1000),
      serverTime: new Date().toISOString(),
      database: deps.dbKind,
      blobStore: deps.blobs.kind,
      connections: deps.connections.counts(),
      counts,
    });
  });

  app.get('/debug/counts', admin, async (c) => c.json(await countAll(deps.db)));

  app.get('/admin/recent', admin, async (c) => {
    const query = readValidQuery(c, RecentQuerySchema);
    if (!query.ok) return refusalResponse(c, query.error);
    const rows = await recentActivity(deps.db, query.value.limit);
    return c.json({ sessions: rows.map(toSessionSummary) });
  });

  app.post('/workers', admin, async (c) => {
    const body = await readValidBody(c, CreateWorkerSchema, max);
    if (!body.ok) return refusalResponse(c, body.error);
    const issued = await createWorkerWithKey(deps.db, body.value.name);
    deps.logger.info('worker_created', { workerId: issued.workerId, keyId: issued.keyId, prefix: issued.prefix });
    // The only time the key is ever shown.
    return c.json(
      {
        workerId: issued.workerId,
        name: body.value.name,
        apiKey: issued.key,
        keyId: issued.keyId,
        prefix: issued.prefix,
      },
      201,
    );
  });

  app.get('/workers', admin, async (c) => c.json({ workers: await listWorkers(deps.db) }));

  app.post('/workers/:id/keys', admin, async (c) => {
    const issued = await issueApiKey(deps.db, c.req.param('id'));
    if (!issued) return errorResponse(c, 'not_found', 'no such worker');
    deps.logger.info('api_key_issued', { workerId: issued.workerId, keyId: issued.keyId, prefix: issued.prefix });
    return c.json({ workerId: issued.workerId, apiKey: issued.key, keyId: issued.keyId, prefix: issued.prefix }, 201);
  });

  app.post('/keys/:id/revoke', admin, async (c) => {
    const revoked = await revokeApiKey(deps.db, c.req.param('id'));
    if (revoked === 0) return errorResponse(c, 'not_found', 'no active key with this id or prefix');
    deps.logger.info('api_key_revoked', { key: c.req.param('id').slice(0, 40), count: revoked });
    return c.json({ revoked });
  });

  return app;
}
