import { Hono } from 'hono';
import {
  buildLegacySession,
  buildTrainingData,
  legacySessionChunks,
  summarizeEvents,
  trainingDataChunks,
} from '@codesight/schema';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { refusalResponse } from '../http/errors';
import { publicBaseUrl } from '../http/public-url';
import { streamJsonResponse } from '../http/stream-response';
import { listSessionsHandler } from './list-sessions';
import type { RouteDeps } from './route-deps';
import { sessionFor } from './session-access';
import { iterateSessionEvents, readEventsUpTo } from './session-events';
import { listChunksHandler, listScreenshotsHandler, streamTrackHandler } from './session-media';
import { toExportSession } from './session-views';
import { trainingMedia } from './training-media';

/** Sessions up to this many events (~5 MB of JSON) are built in memory in one read; longer ones are streamed. */
const IN_MEMORY_EVENTS = 4000;

/**
 * The extension endpoints: the privacy policy, session listing, the session JSON, training data and the session's media
 * (screenshot and chunk listings, narration audio and tab video as files). Workers (API key) see
 * their own sessions, admins (JWT) every session.
 */
export function extensionRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireAuth('any'));

  app.get('/sessions', listSessionsHandler(deps));

  // The deployment's privacy policy (issue 14), for a client on the HTTP fallback (the WebSocket hands it
  // over in authentication_success). No-store: an operator's change must reach the next start.
  app.get('/policy', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(deps.settings.privacyPolicy);
  });

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
    const media = await trainingMedia(deps, row.id, publicBaseUrl(c, deps.settings));
    const head = await readEventsUpTo(deps.db, row.id, IN_MEMORY_EVENTS);
    if (head.complete) return c.json(buildTrainingData(head.events, media));
    return streamJsonResponse(
      trainingDataChunks(iterateSessionEvents(deps.db, row.id), media),
      deps.logger,
      `training data ${row.id}`,
    );
  });

  app.get('/sessions/:id/screenshots', listScreenshotsHandler(deps));
  app.get('/sessions/:id/audio-chunks', listChunksHandler(deps, 'audio'));
  app.get('/sessions/:id/video-chunks', listChunksHandler(deps, 'video'));
  app.get('/sessions/:id/audio', streamTrackHandler(deps, 'audio'));
  app.get('/sessions/:id/video', streamTrackHandler(deps, 'video'));

  return app;
}
