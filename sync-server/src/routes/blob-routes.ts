import { Hono } from 'hono';
import { requireAuth } from '../auth/require-auth';
import { isValidBlobKey, mimeForBlobKey } from '../blobs/blob-key';
import type { AppEnv } from '../http/app-env';
import { errorResponse } from '../http/errors';
import type { RouteDeps } from './route-deps';

/**
 * `GET /api/blobs/<key>`: serves media of the file-system blob store (its `publicPath`). Blobs are
 * content-addressed and shared between sessions, so access follows the rows pointing at them: an
 * admin may read any blob, a worker one referenced by a screenshot, audio chunk or archive of their
 * own sessions.
 */
export function blobRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireAuth(deps.auth, 'any', deps.keyLimiter));

  app.get('/*', async (c) => {
    const prefix = '/api/blobs/';
    const path = c.req.path;
    // Keys are plain ASCII (no escapes to decode): anything percent-encoded is not a key.
    const key = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    if (!isValidBlobKey(key)) return errorResponse(c, 'bad_request', 'not a blob key');
    const principal = c.get('principal');
    if (principal.kind === 'worker' && !(await workerMayRead(deps, principal.workerId, key))) {
      return errorResponse(c, 'forbidden', 'this blob belongs to no session of yours');
    }
    if (deps.blobs.getStream) {
      const streamed = await deps.blobs.getStream(key);
      if (!streamed) return errorResponse(c, 'not_found', 'no such blob');
      return new Response(streamed.stream, {
        headers: {
          'Content-Type': mimeForBlobKey(key),
          'Content-Length': String(streamed.bytes),
          'Cache-Control': 'private, max-age=31536000, immutable',
        },
      });
    }
    const bytes = await deps.blobs.get(key);
    if (!bytes) return errorResponse(c, 'not_found', 'no such blob');
    return new Response(bytes, {
      headers: { 'Content-Type': mimeForBlobKey(key), 'Cache-Control': 'private, max-age=31536000, immutable' },
    });
  });

  return app;
}

async function workerMayRead(deps: RouteDeps, workerId: string, key: string): Promise<boolean> {
  const db = deps.db;
  // Each lookup starts from the blob_key index of its table, then checks the owning session.
  const shot = await db
    .selectFrom('screenshots')
    .innerJoin('sessions', 'sessions.id', 'screenshots.session_id')
    .select('screenshots.id')
    .where('screenshots.blob_key', '=', key)
    .where('sessions.worker_id', '=', workerId)
    .limit(1)
    .executeTakeFirst();
  if (shot) return true;
  const audio = await db
    .selectFrom('audio_chunks')
    .innerJoin('sessions', 'sessions.id', 'audio_chunks.session_id')
    .select('audio_chunks.id')
    .where('audio_chunks.blob_key', '=', key)
    .where('sessions.worker_id', '=', workerId)
    .limit(1)
    .executeTakeFirst();
  if (audio) return true;
  const archive = await db
    .selectFrom('session_archives')
    .innerJoin('sessions', 'sessions.id', 'session_archives.session_id')
    .select('session_archives.id')
    .where('session_archives.blob_key', '=', key)
    .where('sessions.worker_id', '=', workerId)
    .limit(1)
    .executeTakeFirst();
  return archive !== undefined;
}
