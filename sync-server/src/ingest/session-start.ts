import {
  fail,
  ok,
  sessionMetadataProblem,
  sessionStartMetadata,
  type Result,
  type ServerSessionStatus,
  type SessionStartMessage,
} from '@codesight/schema';
import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import { storableText, storableTextOrNull, toJsonb } from '../db/jsonb';
import type { Database } from '../db/schema';
import { maskStoredStrings } from '../privacy/mask-strings';
import { recordServerMasks, SESSION_FIELDS_SEQUENCE } from '../privacy/server-masks';
import type { Refusal } from '../refusal';
import { asDate } from './legacy-fields';
import { lockSession } from './session-lock';
import { addEventsToStats } from './session-stats';

/** What a legacy session_start did. */
export interface StartSessionResult {
  sessionId: string;
  /** False when the session already existed (a repeated session_start, or data came first). */
  created: boolean;
  status: ServerSessionStatus;
  ackedThrough: number;
}

/**
 * The session's metadata merged with `metadata` (its keys win), or why the result would be past the
 * metadata bounds. Read under the session lock: two starts cannot both pass the bound.
 */
async function mergedMetadata(
  trx: Transaction<Database>,
  sessionId: string,
  metadata: Record<string, unknown>,
): Promise<Result<Record<string, unknown>, Refusal>> {
  const { metadata: stored } = await trx
    .selectFrom('sessions')
    .select('metadata')
    .where('id', '=', sessionId)
    .executeTakeFirstOrThrow();
  const merged = { ...stored, ...metadata };
  const problem = sessionMetadataProblem(merged);
  if (problem) return fail(problem.code, `session ${sessionId}: merged with the metadata it holds, ${problem.message}`);
  return ok(merged);
}

/**
 * Handles a legacy `session_start`: creates the session owned by `workerId` with the message's start
 * time, user agent and first URL, and keeps the other top-level keys in `metadata`. Repeating it is
 * harmless: an existing session of the same worker gets missing fields filled and new metadata keys
 * merged, as long as the merged metadata stays within its bounds (`LIMITS.sessionMetadata*`; else
 * `payload_too_large` and nothing changes), so repeated starts cannot grow the row without bound.
 * Another worker's session is `forbidden`.
 */
export async function startLegacySession(
  db: Kysely<Database>,
  workerId: string,
  message: SessionStartMessage,
): Promise<Result<StartSessionResult, Refusal>> {
  // The first URL and free-form metadata are stored on the session: masked like events' strings (issue 14).
  const masking = maskStoredStrings(message);
  const result = await startMaskedSession(db, workerId, masking.value);
  if (result.ok && masking.counts) {
    await recordServerMasks(db, message.sessionId, [{ sequence: SESSION_FIELDS_SEQUENCE, counts: masking.counts }]);
  }
  return result;
}

async function startMaskedSession(
  db: Kysely<Database>,
  workerId: string,
  message: SessionStartMessage,
): Promise<Result<StartSessionResult, Refusal>> {
  const metadata = sessionStartMetadata(message);
  // Checked before any write; the schema checked it already, but callers may skip the schema.
  const problem = sessionMetadataProblem(metadata);
  if (problem) return fail(problem.code, problem.message);
  const startTime = asDate(message.startTime) ?? new Date();
  // The first page goes into urls/hosts like an event's URL (the counts are not touched).
  const page = message.url ? [{ type: 'session_start', url: message.url }] : [];
  const pageStats = addEventsToStats({ counts: {}, urls: [], hosts: [] }, page);

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, message.sessionId, () => ({
      start_time: startTime,
      user_agent: storableTextOrNull(message.userAgent),
      urls: toJsonb(pageStats.urls),
      hosts: toJsonb(pageStats.hosts),
      metadata: toJsonb(metadata),
    }));
    if (!locked.ok) return locked;
    const { row, created } = locked.value;

    if (!created) {
      // A start without metadata keys leaves the stored metadata unread and untouched.
      const merged = Object.keys(metadata).length > 0 ? await mergedMetadata(trx, row.id, metadata) : undefined;
      if (merged && !merged.ok) return merged;
      const stats = addEventsToStats({ counts: row.counts, urls: row.urls, hosts: row.hosts }, page);
      await trx
        .updateTable('sessions')
        .set({
          ...(merged && { metadata: toJsonb(merged.value) }),
          urls: toJsonb(stats.urls),
          hosts: toJsonb(stats.hosts),
          last_activity_at: sql<Date>`now()`,
          updated_at: sql<Date>`now()`,
          ...(row.user_agent === null &&
            message.userAgent !== undefined && { user_agent: storableText(message.userAgent) }),
        })
        .where('id', '=', row.id)
        .execute();
    }
    return ok({ sessionId: row.id, created, status: row.status, ackedThrough: row.acked_through });
  });
}
