import {
  DatasetMediaIndex,
  IsoTimeSchema,
  MAX_EPOCH_MS,
  streamDatasetLines,
  type DatasetSessionInfo,
  type RecordedEvent,
} from '@codesight/schema';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database, SessionRow } from '../db/schema';
import { readSessionEvents } from '../ingest/read-events';
import type { Logger } from '../log';

/**
 * The JSONL training dataset (docs/formats.md, "JSONL dataset") as text pieces: one session's lines,
 * or every session's that started in a range (optionally one worker's). The streamed endpoints
 * (dataset-routes.ts) and the export job (jobs/exports) both write exactly these pieces. Memory holds
 * one page of sessions, one session's media index and one page of events.
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

/** The range query of `GET /admin/dataset.jsonl`: start times in [from, to), one worker's when given. */
export const DatasetQuerySchema = v.pipe(
  v.object({
    from: v.optional(TimeParamSchema),
    to: v.optional(TimeParamSchema),
    worker: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
  }),
  v.check((q) => q.from === undefined || q.to === undefined || q.from <= q.to, 'from must not be after to'),
);

/** Which sessions a dataset-wide export takes: start times (epoch ms) in [from, to), optionally one worker's. */
export interface DatasetRange {
  from?: number | undefined;
  to?: number | undefined;
  worker?: string | undefined;
}

/** The session columns a line needs. */
export const DATASET_SESSION_COLUMNS = [
  'id',
  'worker_id',
  'start_time',
  'user_agent',
  'extension_version',
  'event_count',
] as const;
/** A session as the dataset reads it. */
export type DatasetSessionRow = Pick<SessionRow, (typeof DATASET_SESSION_COLUMNS)[number]>;

/** The sessions of the range, as a query to select from. */
export function sessionsOfRange(db: Kysely<Database>, range: DatasetRange) {
  let q = db.selectFrom('sessions');
  if (range.from !== undefined) q = q.where('start_time', '>=', new Date(range.from));
  if (range.to !== undefined) q = q.where('start_time', '<', new Date(range.to));
  if (range.worker !== undefined) q = q.where('worker_id', '=', range.worker);
  return q;
}

/** How many sessions, and events in them, the range holds. */
export async function countRange(
  db: Kysely<Database>,
  range: DatasetRange,
): Promise<{ sessions: number; events: number }> {
  const totals = await sessionsOfRange(db, range)
    .select((eb) => [eb.fn.countAll<string>().as('sessions'), eb.fn.sum<string>('event_count').as('events')])
    .executeTakeFirstOrThrow();
  return { sessions: Number(totals.sessions), events: Number(totals.events ?? 0) };
}

/** Sessions of the range by (start_time, id), a page at a time: sessions created meanwhile do not shift the pages. */
export async function* sessionsInRange(
  db: Kysely<Database>,
  range: DatasetRange,
): AsyncGenerator<DatasetSessionRow, void, undefined> {
  let after: { startTime: Date; id: string } | undefined;
  for (;;) {
    let q = sessionsOfRange(db, range).select(DATASET_SESSION_COLUMNS);
    const last = after;
    if (last) q = q.where((eb) => eb(eb.refTuple('start_time', 'id'), '>', eb.tuple(last.startTime, last.id)));
    const page = await q.orderBy('start_time').orderBy('id').limit(SESSION_PAGE).execute();
    yield* page;
    const end = page.at(-1);
    if (page.length < SESSION_PAGE || !end) return;
    after = { startTime: end.start_time, id: end.id };
  }
}

/** What reading a session's lines needs. */
export interface DatasetDeps {
  db: Kysely<Database>;
  logger: Logger;
}

/** One session's lines, serialized, each ending in a newline. */
export async function* sessionDatasetLines(deps: DatasetDeps, row: DatasetSessionRow): AsyncGenerator<string> {
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
async function mediaIndex(deps: DatasetDeps, sessionId: string): Promise<DatasetMediaIndex> {
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
export async function* linePieces(lines: AsyncIterable<string>): AsyncGenerator<string> {
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

/** Texts as UTF-8 bytes. */
export async function* utf8(texts: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  for await (const text of texts) yield encoder.encode(text);
}
