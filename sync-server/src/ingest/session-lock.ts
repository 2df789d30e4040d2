import { fail, ok, type Result } from '@codesight/schema';
import type { Kysely, Transaction } from 'kysely';
import type { Database, NewSession, SessionRow } from '../db/schema';
import type { Refusal } from '../refusal';
import { SESSION_VIEW_COLUMNS } from './read-sessions';

/**
 * The session columns a writer reads under the lock: all but `metadata`, which only a repeated
 * `session_start` reads (session-start.ts), so storing events never reads the free-form JSON.
 */
const LOCKED_COLUMNS = [...SESSION_VIEW_COLUMNS, 'urls', 'updated_at'] as const satisfies readonly (keyof SessionRow)[];

/** A session row as {@link lockSession} reads it. */
export type LockedSessionRow = Pick<SessionRow, (typeof LOCKED_COLUMNS)[number]>;

/** The locked session row, and whether this transaction created it. */
export interface LockedSession {
  row: LockedSessionRow;
  created: boolean;
}

async function selectForUpdate(trx: Kysely<Database>, sessionId: string): Promise<LockedSessionRow | undefined> {
  return trx.selectFrom('sessions').select(LOCKED_COLUMNS).where('id', '=', sessionId).forUpdate().executeTakeFirst();
}

/**
 * Locks the session row (`select ... for update`) until the transaction ends, creating it first from
 * `create()` when it does not exist yet. Every write to a session's events goes through this lock, so
 * two server instances never interleave on one session: sequence assignment, counters and the
 * watermark are computed by one transaction at a time. Creation is race-safe across instances:
 * `insert ... on conflict do nothing`, then the select waits for whichever insert won.
 *
 * Refuses with `forbidden` when the session belongs to another worker, and with `unknown_session`
 * when it does not exist and `create` is not given.
 */
export async function lockSession(
  trx: Transaction<Database>,
  workerId: string,
  sessionId: string,
  create?: () => Omit<NewSession, 'id' | 'worker_id'>,
): Promise<Result<LockedSession, Refusal>> {
  let row = await selectForUpdate(trx, sessionId);
  let created = false;
  if (row === undefined) {
    if (create === undefined) return fail('unknown_session', `session ${sessionId} does not exist`);
    const inserted = await trx
      .insertInto('sessions')
      .values({ ...create(), id: sessionId, worker_id: workerId })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst();
    created = inserted !== undefined;
    row = await selectForUpdate(trx, sessionId);
    // Only a concurrent delete between the two statements gets here.
    if (row === undefined) return fail('conflict', `session ${sessionId} was deleted while being written`);
  }
  if (row.worker_id !== workerId) {
    return fail('forbidden', `session ${sessionId} belongs to another worker`);
  }
  return ok({ row, created });
}
