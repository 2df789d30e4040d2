import { fail, ok, type Result } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database, SessionRow } from '../db/schema';
import type { Refusal } from '../refusal';
import { decodeSessionCursor, encodeSessionCursor } from './session-cursor';

/** Largest page a listing returns, whatever the caller asks. */
export const MAX_SESSION_PAGE = 500;

/**
 * The columns a session listing shows (routes/session-views.ts `toSessionSummary`). Not `metadata`
 * (free-form, up to `LIMITS.sessionMetadataBytes`, and far more in rows stored before that bound) nor
 * `urls` (up to 1000 URLs of 8 KiB): a page of 500 rows would read megabytes nobody shows.
 */
export const SESSION_SUMMARY_COLUMNS = [
  'id',
  'worker_id',
  'status',
  'start_time',
  'end_time',
  'final_count',
  'acked_through',
  'event_count',
  'hosts',
  'counts',
  'user_agent',
  'extension_version',
  'last_activity_at',
  'created_at',
] as const satisfies readonly (keyof SessionRow)[];

/** A session row as listings read it. */
export type SessionSummaryRow = Pick<SessionRow, (typeof SESSION_SUMMARY_COLUMNS)[number]>;

/** The columns of one session's views (its JSON, training data, media): a summary's and the masking policy. */
export const SESSION_VIEW_COLUMNS = [...SESSION_SUMMARY_COLUMNS, 'masking_policy'] as const;

/** A session row as the views of one session read it. */
export type SessionViewRow = Pick<SessionRow, (typeof SESSION_VIEW_COLUMNS)[number]>;

export interface ListSessionsOptions {
  /** Only this worker's sessions; unset: everyone's (admin views). */
  workerId?: string | undefined;
  /** Page size, clamped to 1..MAX_SESSION_PAGE. */
  limit: number;
  /** `nextCursor` of the previous page; unset: the first page. */
  cursor?: string | undefined;
}

/** One page of sessions, newest first, and the cursor of the next page (null on the last one). */
export interface SessionPage {
  sessions: SessionSummaryRow[];
  nextCursor: string | null;
}

/**
 * Lists sessions newest first with keyset pagination on (created_at, id): stable while sessions are
 * being created, and each page is an index range scan however deep the listing goes.
 */
export async function listSessions(
  db: Kysely<Database>,
  options: ListSessionsOptions,
): Promise<Result<SessionPage, Refusal>> {
  const limit = Math.min(MAX_SESSION_PAGE, Math.max(1, Math.floor(options.limit)));
  const after = options.cursor === undefined ? undefined : decodeSessionCursor(options.cursor);
  if (after === null) return fail('bad_request', 'cursor is not a cursor this server issued');

  let query = db.selectFrom('sessions').select(SESSION_SUMMARY_COLUMNS);
  if (options.workerId !== undefined) query = query.where('worker_id', '=', options.workerId);
  if (after !== undefined) {
    query = query.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
  }
  // One row more than the page tells whether there is a next page.
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const sessions = rows.slice(0, limit);
  const last = sessions.at(-1);
  return ok({ sessions, nextCursor: rows.length > limit && last ? encodeSessionCursor(last) : null });
}

/** One session by id, every column, or null. */
export async function getSession(db: Kysely<Database>, sessionId: string): Promise<SessionRow | null> {
  return (await db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst()) ?? null;
}

/** One session by id with the columns its views show ({@link SESSION_VIEW_COLUMNS}), or null. */
export async function getSessionView(db: Kysely<Database>, sessionId: string): Promise<SessionViewRow | null> {
  return (
    (await db.selectFrom('sessions').select(SESSION_VIEW_COLUMNS).where('id', '=', sessionId).executeTakeFirst()) ??
    null
  );
}

/**
 * True when `sessionId` exists and belongs to another worker than `workerId`: checked before costly
 * work (storing an image, handing out an upload URL) that the write would then refuse as `forbidden`.
 */
export async function isOtherWorkersSession(
  db: Kysely<Database>,
  sessionId: string,
  workerId: string,
): Promise<boolean> {
  const row = await db.selectFrom('sessions').select('worker_id').where('id', '=', sessionId).executeTakeFirst();
  return row !== undefined && row.worker_id !== workerId;
}

/** The sessions with the most recent activity first (admin "recent" view). */
export async function recentActivity(db: Kysely<Database>, limit: number): Promise<SessionSummaryRow[]> {
  return db
    .selectFrom('sessions')
    .select(SESSION_SUMMARY_COLUMNS)
    .orderBy('last_activity_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(MAX_SESSION_PAGE, Math.max(1, Math.floor(limit))))
    .execute();
}

/** Row counts for /api/status and /api/debug/counts. */
export interface TableCounts {
  workers: number;
  sessions: number;
  activeSessions: number;
  interactions: number;
  screenshots: number;
  audioChunks: number;
  videoChunks: number;
  sessionArchives: number;
  pendingUploads: number;
}

/** Exact row counts of every table, in one round trip. */
export async function countAll(db: Kysely<Database>): Promise<TableCounts> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('workers').select(eb.fn.countAll<number>().as('n')).as('workers'),
      eb.selectFrom('sessions').select(eb.fn.countAll<number>().as('n')).as('sessions'),
      eb
        .selectFrom('sessions')
        .select(eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'active')
        .as('activeSessions'),
      eb.selectFrom('interactions').select(eb.fn.countAll<number>().as('n')).as('interactions'),
      eb.selectFrom('screenshots').select(eb.fn.countAll<number>().as('n')).as('screenshots'),
      eb.selectFrom('audio_chunks').select(eb.fn.countAll<number>().as('n')).as('audioChunks'),
      eb.selectFrom('video_chunks').select(eb.fn.countAll<number>().as('n')).as('videoChunks'),
      eb.selectFrom('session_archives').select(eb.fn.countAll<number>().as('n')).as('sessionArchives'),
      eb
        .selectFrom('uploads')
        .select(eb.fn.countAll<number>().as('n'))
        .where('completed_at', 'is', null)
        .as('pendingUploads'),
    ])
    .executeTakeFirstOrThrow();
  // Number(): int8 is a number with our type parsers, but be robust to a driver returning a string.
  return {
    workers: Number(row.workers),
    sessions: Number(row.sessions),
    activeSessions: Number(row.activeSessions),
    interactions: Number(row.interactions),
    screenshots: Number(row.screenshots),
    audioChunks: Number(row.audioChunks),
    videoChunks: Number(row.videoChunks),
    sessionArchives: Number(row.sessionArchives),
    pendingUploads: Number(row.pendingUploads),
  };
}
