import { fail, ok, SERVER_SESSION_STATUSES, type Result, type ServerSessionStatus } from '@codesight/schema';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database } from '../db/schema';
import { SESSION_SUMMARY_COLUMNS, type SessionSummaryRow } from '../ingest/read-sessions';
import { decodeSessionCursor, encodeSessionCursor, type SessionCursor } from '../ingest/session-cursor';
import type { Refusal } from '../refusal';
import { PageCursorSchema, PageLimitSchema } from './pagination';

/** A date (`2026-12-03`, UTC midnight) or a full ISO 8601 time. */
const TimeSchema = v.pipe(
  v.string(),
  v.maxLength(40, 'a time is at most 40 characters'),
  v.regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'a time must be an ISO 8601 date or time'),
  v.transform((s) => new Date(s)),
  v.check((d) => !Number.isNaN(d.getTime()), 'not a valid date'),
);

/** `GET /api/admin/console/sessions` query: the console's filters and keyset page. */
export const ConsoleSessionsQuerySchema = v.object({
  workerId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
  /** start_time >= from */
  from: v.optional(TimeSchema),
  /** start_time < to */
  to: v.optional(TimeSchema),
  status: v.optional(
    v.picklist(SERVER_SESSION_STATUSES, `status must be one of ${SERVER_SESSION_STATUSES.join(', ')}`),
  ),
  /** A host the session visited (exact, as listed in `pagesVisited`). */
  host: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(253))),
  hasNarration: v.optional(v.picklist(['true', 'false'], 'hasNarration must be true or false')),
  limit: PageLimitSchema,
  cursor: PageCursorSchema,
});
export type ConsoleSessionsQuery = v.InferOutput<typeof ConsoleSessionsQuerySchema>;

/** A listed session row and whether it has narration audio. */
export type ConsoleSessionRow = SessionSummaryRow & { has_narration: boolean };

/** One page of the console's session list, newest start first. */
export interface ConsoleSessionPage {
  sessions: ConsoleSessionRow[];
  nextCursor: string | null;
}

/**
 * The query of one page of the console's session list (one row more than the page, which tells
 * whether there is a next). Newest start first, keyset on (start_time, id), so a deep page is an index
 * range scan (`sessions_start_idx`, or `sessions_worker_start_idx` for one worker; a host filter may use
 * `sessions_hosts_idx`). Exported for the plan checks in test/console-sessions-scale.test.ts.
 */
export function consoleSessionsQuery(
  db: Kysely<Database>,
  query: Omit<ConsoleSessionsQuery, 'cursor'>,
  after: SessionCursor | undefined,
) {
  // Has narration: an indexed probe of audio_chunks (session_id, chunk_index) per session row.
  const narration = (eb: ExpressionBuilder<Database, 'sessions'>) =>
    eb.exists(
      eb
        .selectFrom('audio_chunks')
        .select(sql<number>`1`.as('one'))
        .whereRef('audio_chunks.session_id', '=', 'sessions.id'),
    );
  let q = db
    .selectFrom('sessions')
    .select(SESSION_SUMMARY_COLUMNS)
    .select((eb) => narration(eb).as('has_narration'));
  if (query.workerId !== undefined) q = q.where('worker_id', '=', query.workerId);
  if (query.from !== undefined) q = q.where('start_time', '>=', query.from);
  if (query.to !== undefined) q = q.where('start_time', '<', query.to);
  if (query.status !== undefined) q = q.where('status', '=', query.status satisfies ServerSessionStatus);
  if (query.host !== undefined) q = q.where(sql<boolean>`hosts @> ${JSON.stringify([query.host])}::jsonb`);
  if (query.hasNarration === 'true') q = q.where((eb) => narration(eb));
  if (query.hasNarration === 'false') q = q.where((eb) => eb.not(narration(eb)));
  if (after !== undefined) {
    q = q.where((eb) => eb(eb.refTuple('start_time', 'id'), '<', eb.tuple(after.createdAt, after.id)));
  }
  return q
    .orderBy('start_time', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
}

/** One page of the console's session list ({@link consoleSessionsQuery}) and the next page's cursor. */
export async function listConsoleSessions(
  db: Kysely<Database>,
  query: ConsoleSessionsQuery,
): Promise<Result<ConsoleSessionPage, Refusal>> {
  // The (created_at, id) cursor codec is reused for (start_time, id): both are millisecond timestamps.
  const after = query.cursor === undefined ? undefined : decodeSessionCursor(query.cursor);
  if (after === null) return fail('bad_request', 'cursor is not a cursor this server issued');
  const rows = await consoleSessionsQuery(db, query, after).execute();
  const sessions = rows.slice(0, query.limit).map((row) => ({ ...row, has_narration: Boolean(row.has_narration) }));
  const last = sessions.at(-1);
  return ok({
    sessions,
    nextCursor:
      rows.length > query.limit && last ? encodeSessionCursor({ created_at: last.start_time, id: last.id }) : null,
  });
}
