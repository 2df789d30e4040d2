import { Hono } from 'hono';
import { requireAuth } from '../auth/require-auth';
import { isValidBlobKey, mimeForBlobKey } from '../blobs/blob-key';
import { NO_SNIFF } from '../blobs/servable-type';
import type { AppEnv } from '../http/app-env';
import { errorResponse } from '../http/errors';
import type { RouteDeps } from './route-deps';

/**
 * `GET /api/blobs/<key>`: serves media of the file-system blob store (its `publicPath`). Blobs are
 * content-addressed and shared between sessions, so access follows the rows pointing at them: an
 * admin may read any blob, a worker one referenced by a screenshot, audio or video chunk or archive of their
 * own sessions. Any other key is `404 no such blob`, whether it exists or not. The type comes from
 * the key's extension (a fixed list: schema/entities/media-types.ts), with `nosniff`.
 */
export function blobRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireAuth('any'));

  app.get('/*', async (c) => {
    const prefix = '/api/blobs/';
    const path = c.req.path;
    // Keys are plain ASCII (no escapes to decode): anything percent-encoded is not a key.
    const key = path.startsWith(prefix) ? path.slice(prefix.length) : '';
    if (!isValidBlobKey(key)) return errorResponse(c, 'bad_request', 'not a blob key');
    const principal = c.get('principal');
    // Not the worker's: answered like a missing blob, so the answer says nothing about other workers' media.
    if (principal.kind === 'worker' && !(await workerMayRead(deps, principal.workerId, key))) {
      return errorResponse(c, 'not_found', NO_SUCH_BLOB);
    }
    const headers = {
      'Content-Type': mimeForBlobKey(key),
      'Cache-Control': 'private, max-age=31536000, immutable',
      ...NO_SNIFF,
    };
    if (deps.blobs.getStream) {
      const streamed = await deps.blobs.getStream(key);
      if (!streamed) return errorResponse(c, 'not_found', NO_SUCH_BLOB);
      return new Response(streamed.stream, { headers: { ...headers, 'Content-Length': String(streamed.bytes) } });
    }
    const bytes = await deps.blobs.get(key);
    if (!bytes) return errorResponse(c, 'not_found', NO_SUCH_BLOB);
    return new Response(bytes, { headers });
  });

  return app;
}

/** The answer for a blob that is missing or not the worker's: one message, so both read alike. */
const NO_SUCH_BLOB = 'no such blob';

/** Tables whose rows reference blobs, each with a `blob_key` index and the owning `session_id`. */
const BLOB_REFERENCING_TABLES = ['screenshots', 'audio_chunks', 'video_chunks', 'session_archives'] as const;

/** True when a screenshot, audio or video chunk or archive of one of the worker's sessions references `key`. */
async function workerMayRead(deps: RouteDeps, workerId: string, key: string): Promise<boolean> {
  // Each lookup starts from the blob_key index of its table, then checks the owning session.
  for (const table of BLOB_REFERENCING_TABLES) {
    const row = await deps.db
      .selectFrom(table)
      .innerJoin('sessions', 'sessions.id', 'session_id')
      .select('sessions.id')
      .where('blob_key', '=', key)
      .where('sessions.worker_id', '=', workerId)
      .limit(1)
      .executeTakeFirst();
    if (row) return true;
  }
  return false;
}
