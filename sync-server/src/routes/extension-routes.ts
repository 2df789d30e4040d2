import { Hono } from 'hono';
import {
  buildLegacySession,
  buildTrainingData,
  legacySessionChunks,
  summarizeEvents,
  trainingDataChunks,
  type TrainingMedia,
} from '@codesight/schema';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { absoluteUrl, publicBaseUrl } from '../http/public-url';
import { streamJsonResponse } from '../http/stream-json';
import { listSessionsHandler } from './list-sessions';
import type { RouteDeps } from './route-deps';
import { sessionFor } from './session-access';
import { iterateSessionEvents, readEventsUpTo } from './session-events';
import { toExportSession } from './session-views';

/** Sessions up to this many events (~5 MB of JSON) are built in memory in one read; longer ones are streamed. */
const IN_MEMORY_EVENTS = 4000;

/**
 * The legacy extension endpoints: session listing, the session JSON, training data and the
 * session's narration audio. Workers (API key) see their own sessions, admins (JWT) every session.
 */
export function extensionRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireAuth(deps.auth, 'any', deps.keyLimiter));

  app.get('/sessions', listSessionsHandler(deps));

  app.get('/sessions/:id/data', async (c) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    const row = found.value;
    const session = toExportSession(row);
    const head = await readEventsUpTo(deps.db, row.id, IN_MEMORY_EVENTS);
    if (head.complete) return c.json(buildLegacySession(session, head.events));
    // Long session: a first pass summarizes (totals come before the events in the legacy JSON),
    // the second streams; both stop at the sequence the first one ended on.
    const summary = await summarizeEvents(iterateSessionEvents(deps.db, row.id));
    const chunks = legacySessionChunks(session, iterateSessionEvents(deps.db, row.id, summary.lastSequence), summary);
    return streamJsonResponse(chunks, deps.logger, `legacy session ${row.id}`);
  });

  app.get('/sessions/:id/training-data', async (c) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    const row = found.value;
    const media = await sessionMedia(deps, row.id, publicBaseUrl(c, deps.settings));
    const head = await readEventsUpTo(deps.db, row.id, IN_MEMORY_EVENTS);
    if (head.complete) return c.json(buildTrainingData(head.events, media));
    return streamJsonResponse(
      trainingDataChunks(iterateSessionEvents(deps.db, row.id), media),
      deps.logger,
      `training data ${row.id}`,
    );
  });

  app.get('/sessions/:id/audio', async (c) => {
    const found = await sessionFor(deps.db, c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    const chunks = await deps.db
      .selectFrom('audio_chunks')
      .select(['blob_key', 'mime', 'bytes'])
      .where('session_id', '=', found.value.id)
      .where('uploaded_at', 'is not', null)
      .orderBy('chunk_index')
      .execute();
    const first = chunks[0];
    if (!first) return errorResponse(c, 'not_found', `session ${found.value.id} has no audio`);
    const total = chunks.reduce((sum, chunk) => sum + Number(chunk.bytes), 0);
    const blobs = deps.blobs;
    // MediaRecorder timeslices concatenate into one playable file: only the first carries the header.
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        try {
          for (const chunk of chunks) {
            const bytes = await blobs.get(chunk.blob_key);
            if (!bytes) throw new Error(`audio blob ${chunk.blob_key} is missing`);
            controller.enqueue(bytes);
          }
          controller.close();
        } catch (err) {
          deps.logger.error('stream_failed', { what: `audio ${found.value.id}`, error: err });
          controller.error(err);
        }
      },
    });
    return new Response(body, { headers: { 'Content-Type': first.mime, 'Content-Length': String(total) } });
  });

  return app;
}

/**
 * Media paths of the training data. The server records no screen video (the extension captures
 * screenshots), so `video_path` is null. Audio: one chunk is one object, named by the blob store
 * (`s3://bucket/key`, or the server URL serving it); several chunks are served concatenated by
 * `/api/extension/sessions/:id/audio`.
 */
async function sessionMedia(deps: RouteDeps, sessionId: string, baseUrl: string): Promise<TrainingMedia> {
  const chunks = await deps.db
    .selectFrom('audio_chunks')
    .select('blob_key')
    .where('session_id', '=', sessionId)
    .where('uploaded_at', 'is not', null)
    .orderBy('chunk_index')
    .limit(2)
    .execute();
  let audioPath: string | null = null;
  if (chunks.length === 1) audioPath = absoluteUrl(baseUrl, deps.blobs.publicPath(chunks[0]!.blob_key));
  else if (chunks.length > 1) audioPath = `${baseUrl}/api/extension/sessions/${encodeURIComponent(sessionId)}/audio`;
  return { videoPath: null, audioPath };
}
