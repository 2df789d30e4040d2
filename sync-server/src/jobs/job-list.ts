import { sql, type Kysely } from 'kysely';
import type { Database, JobRow, JobState } from '../db/schema';

/** Largest page of the job listing. */
export const MAX_JOB_PAGE = 200;

/** Filters and position of a listing. */
export interface JobListOptions {
  state?: JobState | undefined;
  kind?: string | undefined;
  /** Clamped to 1..MAX_JOB_PAGE. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: JobCursor | undefined;
}

/** Where a page ended: the last job's creation time and id. */
export interface JobCursor {
  createdAt: number;
  id: string;
}

/** The cursor as the API hands it out: opaque base64url text. */
export function encodeJobCursor(cursor: JobCursor): string {
  return Buffer.from(`${cursor.createdAt}:${cursor.id}`).toString('base64url');
}

/** The cursor `text` encodes, or null when it is not one {@link encodeJobCursor} made. */
export function decodeJobCursor(text: string): JobCursor | null {
  const decoded = Buffer.from(text, 'base64url').toString('utf8');
  const match = /^(\d{1,15}):([A-Za-z0-9-]{1,64})$/.exec(decoded);
  if (!match) return null;
  return { createdAt: Number(match[1]), id: match[2]! };
}

/** A page of jobs, newest first (keyset on created_at, id), and the cursor of the next page or null. */
export async function listJobs(
  db: Kysely<Database>,
  options: JobListOptions,
): Promise<{ jobs: JobRow[]; nextCursor: string | null }> {
  const limit = Math.min(MAX_JOB_PAGE, Math.max(1, Math.floor(options.limit)));
  let query = db.selectFrom('jobs').selectAll();
  if (options.state !== undefined) query = query.where('state', '=', options.state);
  if (options.kind !== undefined) query = query.where('kind', '=', options.kind);
  const after = options.cursor;
  if (after !== undefined)
    query = query.where(
      sql<boolean>`(created_at, id) < (${new Date(after.createdAt)}::timestamptz, ${after.id}::text)`,
    );
  const rows = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const jobs = rows.slice(0, limit);
  const last = jobs.at(-1);
  return {
    jobs,
    nextCursor:
      rows.length > limit && last ? encodeJobCursor({ createdAt: last.created_at.getTime(), id: last.id }) : null,
  };
}
