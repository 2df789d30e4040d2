import { sql, type Transaction } from 'kysely';
import type { Database, NewInteraction } from '../db/schema';
import { toJsonb } from '../db/jsonb';
import { INSERT_CHUNK_ROWS } from './limits';
import type { LockedSessionRow } from './session-lock';
import { addEventsToStats, statusAfterStore, type StatsEvent } from './session-stats';
import { readContiguousWatermark } from './watermark';

/**
 * Inserts interaction rows, skipping any (session_id, sequence) already stored, in multi-row INSERTs
 * of at most INSERT_CHUNK_ROWS. Returns the sequences actually inserted.
 */
export async function insertInteractionRows(
  trx: Transaction<Database>,
  rows: readonly NewInteraction[],
): Promise<Set<number>> {
  const inserted = new Set<number>();
  for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
    const chunk = rows.slice(start, start + INSERT_CHUNK_ROWS);
    const result = await trx
      .insertInto('interactions')
      .values(chunk)
      .onConflict((oc) => oc.columns(['session_id', 'sequence']).doNothing())
      .returning('sequence')
      .execute();
    for (const { sequence } of result) inserted.add(sequence);
  }
  return inserted;
}

/** Session columns a message may fill in when the row does not have them yet. */
export interface SessionFill {
  user_agent?: string | null | undefined;
  extension_version?: string | null | undefined;
  masking_policy?: string | null | undefined;
}

/**
 * After events were inserted into a locked session: adds them to the summary columns, advances the
 * watermark over whatever is now contiguous, re-judges the status and marks activity. Returns the
 * new watermark. `greatest()` keeps the watermark monotonic even if a caller ever ran this unlocked.
 */
export async function recordSessionProgress(
  trx: Transaction<Database>,
  session: LockedSessionRow,
  insertedEvents: readonly StatsEvent[],
  fill: SessionFill = {},
): Promise<number> {
  const ackedThrough = await readContiguousWatermark(trx, session.id, session.acked_through);
  const eventCount = session.event_count + insertedEvents.length;
  const stats = insertedEvents.length > 0 ? addEventsToStats(session, insertedEvents) : undefined;
  await trx
    .updateTable('sessions')
    .set((eb) => ({
      event_count: eb('event_count', '+', insertedEvents.length),
      acked_through: sql<number>`greatest(acked_through, ${ackedThrough}::int)`,
      status: statusAfterStore(session, ackedThrough, eventCount),
      last_activity_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
      ...(stats && { counts: toJsonb(stats.counts), urls: toJsonb(stats.urls), hosts: toJsonb(stats.hosts) }),
      ...(session.user_agent === null && fill.user_agent && { user_agent: fill.user_agent }),
      ...(session.extension_version === null &&
        fill.extension_version && { extension_version: fill.extension_version }),
      ...(session.masking_policy === null && fill.masking_policy && { masking_policy: fill.masking_policy }),
    }))
    .where('id', '=', session.id)
    .execute();
  return Math.max(ackedThrough, session.acked_through);
}
