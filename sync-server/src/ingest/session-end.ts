import { fail, ok, type MaskCountsByLocation, type Result } from '@codesight/schema';
import { toJsonb } from '../db/jsonb';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../db/schema';
import type { Refusal } from '../refusal';
import { asDate } from './legacy-fields';
import { MAX_SEQUENCE } from './limits';
import { lockSession } from './session-lock';

/** The verdict on a closed session (the body of session_closed). */
export interface EndSessionResult {
  status: 'complete' | 'incomplete';
  /** Events expected but not stored: 0 when complete. */
  missing: number;
  ackedThrough: number;
}

/**
 * Closes a session (sync `session_close` or legacy `session_end`) and judges it: `complete` when every
 * sequence 1..finalCount is stored. Without a final count (legacy session_end without totalEvents)
 * the expected total is the highest stored sequence, i.e. complete when what was stored has no gaps.
 * A final count sent earlier is kept when this call has none. Repeating the call is harmless; events
 * arriving later re-judge the status (see statusAfterStore).
 */
export async function endSession(
  db: Kysely<Database>,
  workerId: string,
  sessionId: string,
  endTime: Date | number | string,
  finalCount?: number,
  clientMaskCounts?: MaskCountsByLocation,
): Promise<Result<EndSessionResult, Refusal>> {
  const end = asDate(endTime);
  if (end === undefined) return fail('validation_failed', `endTime: ${String(endTime)} is not a time`);
  if (finalCount !== undefined && (!Number.isInteger(finalCount) || finalCount < 0 || finalCount > MAX_SEQUENCE)) {
    return fail('validation_failed', `finalCount: ${finalCount} is not a count of events`);
  }

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, sessionId);
    if (!locked.ok) return locked;
    const { row } = locked.value;
    const expected = finalCount ?? row.final_count;

    let query = trx
      .selectFrom('interactions')
      .select((eb) => [eb.fn.countAll<number>().as('stored'), eb.fn.max('sequence').as('highest')])
      .where('session_id', '=', sessionId);
    if (expected !== null) query = query.where('sequence', '<=', expected);
    const { stored, highest } = await query.executeTakeFirstOrThrow();

    const total = expected ?? highest ?? 0;
    const status = row.acked_through >= total ? 'complete' : 'incomplete';
    const missing = Math.max(0, total - Number(stored));
    await trx
      .updateTable('sessions')
      .set({
        status,
        end_time: end,
        final_count: expected,
        // The latest close's counts replace earlier ones: they are the client's running totals.
        ...(clientMaskCounts ? { client_mask_counts: toJsonb(clientMaskCounts) } : {}),
        last_activity_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', sessionId)
      .execute();
    return ok({ status, missing, ackedThrough: row.acked_through });
  });
}
