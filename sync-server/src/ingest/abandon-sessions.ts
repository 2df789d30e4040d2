import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Marks active sessions with no activity for `olderThanMs` as `abandoned` and returns how many. Their
 * data is kept, and new data for one makes it active again. Age is measured on the database clock,
 * the same clock that stamps `last_activity_at`, so instance clock skew cannot abandon a live session.
 */
export async function abandonStaleSessions(db: Kysely<Database>, olderThanMs: number): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ status: 'abandoned', updated_at: sql<Date>`now()` })
    .where('status', '=', 'active')
    .where('last_activity_at', '<', sql<Date>`now() - ${Math.max(0, olderThanMs)} * interval '1 millisecond'`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
