import { Hono } from 'hono';
import {
  fail,
  ok,
  playwrightScriptChunks,
  recorderFlowChunks,
  streamActions,
  type RecordedEvent,
  type Result,
} from '@codesight/schema';
import type { Principal } from '../auth/principal';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { refusalResponse } from '../http/errors';
import type { Refusal } from '../refusal';
import { streamBytesResponse, streamJsonResponse } from '../http/stream-response';
import type { RouteDeps } from './route-deps';
import { sessionFor } from './session-access';
import { iterateSessionEvents } from './session-events';

/**
 * Events a flow is built from at most. A replayable flow is a few hundred steps; 100k events is hours of
 * recording, whose replay nobody would run, and the cap keeps one export's work bounded before it starts.
 */
export const MAX_FLOW_EVENTS = 100_000;

/**
 * Replayable flows of a session (admin JWT): `GET /api/admin/sessions/:id/flow.json` (Chrome DevTools
 * Recorder JSON, replayable with @puppeteer/replay) and `GET /api/admin/sessions/:id/flow.spec.ts` (a
 * Playwright test). Both stream: events are read a page at a time, turned into actions and steps as they
 * come. Masked values are never in a flow; fields they were typed into get a placeholder (docs/formats.md).
 */
export function flowRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireAuth('admin');

  /** The session's events, or why not: missing, not the caller's, or longer than the cap. */
  const eventsOf = async (
    principal: Principal,
    sessionId: string,
  ): Promise<Result<{ id: string; events: AsyncIterable<RecordedEvent> }, Refusal>> => {
    const found = await sessionFor(deps.db, principal, sessionId);
    if (!found.ok) return found;
    const row = found.value;
    if (Number(row.event_count) > MAX_FLOW_EVENTS) {
      const message = `a flow is built from at most ${MAX_FLOW_EVENTS} events; this session has ${row.event_count}`;
      return fail('payload_too_large', message);
    }
    return ok({ id: row.id, events: iterateSessionEvents(deps.db, row.id, MAX_FLOW_EVENTS) });
  };

  app.get('/admin/sessions/:id/flow.json', admin, async (c) => {
    const found = await eventsOf(c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    const { id, events } = found.value;
    return streamJsonResponse(recorderFlowChunks(`Session ${id}`, streamActions(events)), deps.logger, `flow ${id}`);
  });

  app.get('/admin/sessions/:id/flow.spec.ts', admin, async (c) => {
    const found = await eventsOf(c.get('principal'), c.req.param('id'));
    if (!found.ok) return refusalResponse(c, found.error);
    const { id, events } = found.value;
    return streamBytesResponse(
      encodeText(playwrightScriptChunks(`Session ${id}`, streamActions(events))),
      deps.logger,
      `playwright flow ${id}`,
      {
        // Plain text: browsers show it instead of guessing at a video/mp2t for `.ts`.
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Disposition': `attachment; filename="${id}.spec.ts"`,
      },
    );
  });

  return app;
}

async function* encodeText(pieces: AsyncIterable<string>): AsyncGenerator<Uint8Array, void, undefined> {
  const encoder = new TextEncoder();
  for await (const piece of pieces) yield encoder.encode(piece);
}
