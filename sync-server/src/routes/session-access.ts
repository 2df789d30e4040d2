import { fail, ok, SESSION_ID_PATTERN, type Result } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal';
import type { Database, SessionRow } from '../db/schema';
import type { Refusal } from '../refusal';
import { getSession } from '../ingest/read-sessions';

/**
 * The session `sessionId` if `principal` may read it: admins read every session, workers their own.
 * Another worker's session is `forbidden` (the contract), a missing one `not_found`.
 */
export async function sessionFor(
  db: Kysely<Database>,
  principal: Principal,
  sessionId: string,
): Promise<Result<SessionRow, Refusal>> {
  if (!SESSION_ID_PATTERN.test(sessionId))
    return fail('bad_request', 'session id must be 1-64 characters of A-Z, a-z, 0-9, _ or -');
  const row = await getSession(db, sessionId);
  if (!row) return fail('not_found', `no session ${sessionId}`);
  if (principal.kind === 'worker' && row.worker_id !== principal.workerId) {
    return fail('forbidden', `session ${sessionId} belongs to another worker`);
  }
  return ok(row);
}

/** The worker id a listing is scoped to: a worker sees their own; an admin everyone's, or one worker's on request. */
export function listingScope(principal: Principal, requestedWorkerId: string | undefined): string | undefined {
  return principal.kind === 'worker' ? principal.workerId : requestedWorkerId;
}
