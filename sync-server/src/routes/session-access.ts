import { fail, ok, SESSION_ID_PATTERN, type Result } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal';
import type { Database } from '../db/schema';
import type { Refusal } from '../refusal';
import { getSessionView, type SessionViewRow } from '../ingest/read-sessions';

/** The one message for a session that is missing or not the caller's; it names no id, so bodies are identical. */
export const NO_SUCH_SESSION = 'no such session';

/**
 * The session `sessionId` if `principal` may read it: admins read every session, workers their own.
 * Another worker's session is refused exactly like a missing one (`not_found`, the same message): an
 * answer that differed would tell a worker which session ids exist.
 */
export async function sessionFor(
  db: Kysely<Database>,
  principal: Principal,
  sessionId: string,
): Promise<Result<SessionViewRow, Refusal>> {
  if (!SESSION_ID_PATTERN.test(sessionId))
    return fail('bad_request', 'session id must be 1-64 characters of A-Z, a-z, 0-9, _ or -');
  const row = await getSessionView(db, sessionId);
  if (!row || (principal.kind === 'worker' && row.worker_id !== principal.workerId)) {
    return fail('not_found', NO_SUCH_SESSION);
  }
  return ok(row);
}

/** The worker id a listing is scoped to: a worker sees their own; an admin everyone's, or one worker's on request. */
export function listingScope(principal: Principal, requestedWorkerId: string | undefined): string | undefined {
  return principal.kind === 'worker' ? principal.workerId : requestedWorkerId;
}
