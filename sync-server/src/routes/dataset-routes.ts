import {
  DatasetMediaIndex,
  IsoTimeSchema,
  MAX_EPOCH_MS,
  SESSION_ID_PATTERN,
  streamDatasetLines,
  type DatasetSessionInfo,
  type RecordedEvent,
} from '@codesight/schema';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { requireAuth } from '../auth/require-auth';
import type { Database, SessionRow } from '../db/schema';
import type { AppEnv } from '../http/app-env';
import { errorResponse, refusalResponse } from '../http/errors';
import { readValidQuery } from '../http/read-body';
import { streamBytesResponse } from '../http/stream-response';
import { readSessionEvents } from '../ingest/read-events';
import type { RouteDeps } from './route-deps';
import { NO_SUCH_SESSION } from './session-access';

/**
 * The JSONL training dataset (docs/formats.md, "JSONL dataset"), for admins: one session's lines, or
 * every session's that started in a time range (optionally one worker's). Both are streamed at the
 * client's pace; memory holds one page of sessions, one session's media index and one page of events.
 */

/** Sessions read per round trip of the dataset-wide export. */
const SESSION_PAGE = 100;
/**
 * Events read per round trip: each may carry a 4 KiB HTML snippet, so 1,000 is up to ~6 MiB of rows,
 * not the 30 MiB a full storage page (5,000) could be.
 */
const EVENT_PAGE = 1000;
/**
 * Screenshots and audio chunks of one session held for its lines (~100 bytes each). A day of recording
 * with a burst per click stays far below; past it, the rest is left out and logged.
 */
const MAX_SESSION_MEDIA = 100_000;
/** Characters gathered before a piece is sent: a few dozen lines, to amortise the per-piece cost. */
const PIECE_CHARS = 64 * 1024;

const NDJSON = 'application/x-ndjson; charset=utf-8';

/** `from` / `to`: an ISO 8601 time or epoch milliseconds. */
const TimeParamSchema = v.union(
  [
    v.pipe(
      v.string(),
      v.regex(/^\d{1,16}$/),
      v.transform(Number),
      v.number(),
      v.maxValue(MAX_EPOCH_MS, 'time must be before 9999-12-31'),
    ),
    v.pipe(
      IsoTimeSchema,
      v.transform((iso) => Date.parse(iso)),
    ),
  ],
  'from and to must be ISO 8601 times or epoch milliseconds',
);

const DatasetQuerySchema = v.pipe(
  v.object({
    from: v.optional(TimeParamSchema),
    to: v.optional(TimeParamSchema),
    worker: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
  }),
  v.check((q) => q.from === undefined || q.to === undefined || q.from <= q.to, 'from must not be after to'),
);
type DatasetQuery = v.InferOutput<typeof DatasetQuerySchema>;

/** The session columns a line needs. */
const SESSION_COLUMNS = ['id', 'worker_id', 'start_time', 'user_agent', 'extension_version', 'event_count'] as const;
type DatasetSessionRow = Pick<SessionRow, (typeof SESSION_COLUMNS)[number]>;

/** `GET /admin/sessions/:id/dataset.jsonl` and `GET /admin/dataset.jsonl?from=&to=&worker=`; mounted at `/api`. */
export function datasetRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Per route, not `use('/admin/*')`: mounted at /api, that would also guard other modules' /api/admin routes.
  const admin = requireAuth('admin');

  app.get('/admin/sessions/:id/dataset.jsonl', admin, async (c) => {
    const id = c.req.param('id');
    if (!SESSION_ID_PATTERN.test(id))
      return errorResponse(c, 'bad_request', 'session id must be 1-64 characters of A-Z, a-z, 0-9, _ or -');
    const row = await deps.db.selectFrom('sessions').select(SESSION_COLUMNS).where('id', '=', id).executeTakeFirst();
    if (!row) return errorResponse(c, 'not_found', NO_SUCH_SESSION);
    return streamBytesResponse(encode(pieces(sessionLines(deps, row))), deps.logger, `dataset ${id}`, {
      'Content-Type': NDJSON,
      'X-Total-Events': String(row.event_count),
      'X-Total-Sessions': '1',
    });
  });

  app.get('/admin/dataset.jsonl', admin, async (c) => {
    const query = readValidQuery(c, DatasetQuerySchema);
    if (!query.ok) return refusalResponse(c, query.error);
    const totals = await filtered(deps.db, query.value)
      .select((eb) => [eb.fn.countAll<string>().as('sessions'), eb.fn.sum<string>('event_count').as('events')])
      .executeTakeFirstOrThrow();
    const lines = (async function* () {
      for await (const row of sessionsIn(deps.db, query.value)) yield* sessionLines(deps, row);
    })();
    return streamBytesResponse(encode(pieces(lines)), deps.logger, 'dataset', {
      'Content-Type': NDJSON,
      'X-Total-Events': String(Number(totals.events ?? 0)),
      'X-Total-Sessions': String(Number(totals.sessions)),
    });
  });

  return app;
}

function filtered(db: Kysely<Database>, query: DatasetQuery) {
  let q = db.selectFrom('sessions');
  if (query.from !== undefined) q = q.where('start_time', '>=', new Date(query.from));
  if (query.to !== undefined) q = q.where('start_time', '<', new Date(query.to));
  if (query.worker !== undefined) q = q.where('worker_id', '=', query.worker);
  return q;
}

/** Sessions of the range by (start_time, id), a page at a time: sessions created meanwhile do not shift the pages. */
async function* sessionsIn(db: Kysely<Database>, query: DatasetQuery): AsyncGenerator<DatasetSessionRow> {
  let after: { startTime: Date; id: string } | undefined;
  for (;;) {
    let q = filtered(db, query).select(SESSION_COLUMNS);
    const last = after;
    if (last) q = q.where((eb) => eb(eb.refTuple('start_time', 'id'), '>', eb.tuple(last.startTime, last.id)));
    const page = await q.orderBy('start_time').orderBy('id').limit(SESSION_PAGE).execute();
    yield* page;
    const end = page.at(-1);
    if (page.length < SESSION_PAGE || !end) return;
    after = { startTime: end.start_time, id: end.id };
  }
}

/** One session's lines, serialized, each ending in a newline. */
async function* sessionLines(deps: RouteDeps, row: DatasetSessionRow): AsyncGenerator<string> {
  const info: DatasetSessionInfo = {
    id: row.id,
    workerId: row.worker_id,
    startTime: row.start_time.getTime(),
    userAgent: row.user_agent,
    extensionVersion: row.extension_version,
  };
  const media = await mediaIndex(deps, row.id);
  for await (const line of streamDatasetLines(info, events(deps.db, row.id), media)) yield `${JSON.stringify(line)}\n`;
}

async function* events(db: Kysely<Database>, sessionId: string): AsyncGenerator<RecordedEvent> {
  let after = 0;
  for (;;) {
    const page = await readSessionEvents(db, sessionId, { afterSequence: after, limit: EVENT_PAGE });
    yield* page;
    const last = page.at(-1);
    if (page.length < EVENT_PAGE || !last) return;
    after = last.sequence;
  }
}

/** The session's verified screenshots and audio chunks, as the line builder asks about them. */
async function mediaIndex(deps: RouteDeps, sessionId: string): Promise<DatasetMediaIndex> {
  const [shots, chunks] = await Promise.all([
    deps.db
      .selectFrom('screenshots')
      .select(['id', 'timestamp', 'trigger_sequence', 'burst_index'])
      .where('session_id', '=', sessionId)
      .where('uploaded_at', 'is not', null)
      .orderBy('timestamp')
      .limit(MAX_SESSION_MEDIA + 1)
      .execute(),
    deps.db
      .selectFrom('audio_chunks')
      .select(['id', 'chunk_index', 'start_time', 'duration_ms'])
      .where('session_id', '=', sessionId)
      .where('uploaded_at', 'is not', null)
      .orderBy('chunk_index')
      .limit(MAX_SESSION_MEDIA + 1)
      .execute(),
  ]);
  if (shots.length > MAX_SESSION_MEDIA || chunks.length > MAX_SESSION_MEDIA)
    deps.logger.warn('dataset_media_truncated', { sessionId, max: MAX_SESSION_MEDIA });
  return new DatasetMediaIndex(
    shots.slice(0, MAX_SESSION_MEDIA).map((s) => ({
      id: s.id,
      timestamp: s.timestamp.getTime(),
      triggerSequence: s.trigger_sequence,
      burstIndex: s.burst_index,
    })),
    chunks.slice(0, MAX_SESSION_MEDIA).map((a) => ({
      id: a.id,
      index: a.chunk_index,
      startTime: a.start_time.getTime(),
      durationMs: a.duration_ms,
    })),
  );
}

/** Lines gathered into pieces of about {@link PIECE_CHARS}. */
async function* pieces(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let piece = '';
  for await (const line of lines) {
    piece += line;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

async function* encode(texts: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for await (const text of texts) yield encoder.encode(text);
}
