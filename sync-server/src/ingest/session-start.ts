import { ok, type Result, type ServerSessionStatus, type SessionStartMessage } from '@codesight/schema';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { storableText, storableTextOrNull, toJsonb } from '../db/jsonb';
import type { Database } from '../db/schema';
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

// Keys of session_start with a column of their own; the rest is free-form metadata.
const MESSAGE_FIELDS = new Set(['type', 'sessionId', 'startTime', 'url', 'userAgent']);

/**
 * Handles a legacy `session_start`: creates the session owned by `workerId` with the message's start
 * time, user agent and first URL, and keeps the other top-level keys in `metadata`. Repeating it is
 * harmless: an existing session of the same worker gets missing fields filled and new metadata keys
 * merged. Another worker's session is `forbidden`.
 */
export async function startLegacySession(
  db: Kysely<Database>,
  workerId: string,
  message: SessionStartMessage,
): Promise<Result<StartSessionResult, Refusal>> {
  const metadata = Object.fromEntries(Object.entries(message).filter(([key]) => !MESSAGE_FIELDS.has(key)));
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
      const merged = addEventsToStats({ counts: row.counts, urls: row.urls, hosts: row.hosts }, page);
      await trx
        .updateTable('sessions')
        .set({
          metadata: toJsonb({ ...row.metadata, ...metadata }),
          urls: toJsonb(merged.urls),
          hosts: toJsonb(merged.hosts),
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
