import type { ResumeState } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * What the server holds of each session the client asks about, in the order asked: the watermark and
 * status of the worker's own sessions; `known: false` for sessions never seen or owned by someone else
 * (the answer must not reveal other workers' sessions).
 */
export async function getResumeState(
  db: Kysely<Database>,
  workerId: string,
  sessionIds: readonly string[],
): Promise<ResumeState['sessions']> {
  if (sessionIds.length === 0) return [];
  const rows = await db
    .selectFrom('sessions')
    .select(['id', 'acked_through', 'status'])
    .where('worker_id', '=', workerId)
    .where('id', 'in', [...new Set(sessionIds)])
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return sessionIds.map((sessionId) => {
    const row = byId.get(sessionId);
    return row
      ? { sessionId, known: true, ackedThrough: row.acked_through, status: row.status }
      : { sessionId, known: false, ackedThrough: 0 };
  });
}
