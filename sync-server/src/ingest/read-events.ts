import type { RecordedEvent } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { legacyToRecordedEvent } from './legacy-event';

/** Largest page of events one read returns: ~1-2 MB of JSON. */
export const MAX_EVENT_PAGE = 5000;

export interface ReadEventsOptions {
  /** Return sequences greater than this; default 0 (from the start). */
  afterSequence?: number;
  /** Page size, clamped to 1..MAX_EVENT_PAGE; default MAX_EVENT_PAGE. */
  limit?: number;
}

/**
 * A session's events in sequence order, as RecordedEvents: exactly as sent for batch-ingested rows;
 * rebuilt from the stored legacy object for rows that came through the legacy protocol. Page with
 * `afterSequence` = the last sequence returned.
 */
export async function readSessionEvents(
  db: Kysely<Database>,
  sessionId: string,
  options: ReadEventsOptions = {},
): Promise<RecordedEvent[]> {
  const limit = Math.min(MAX_EVENT_PAGE, Math.max(1, Math.floor(options.limit ?? MAX_EVENT_PAGE)));
  const rows = await db
    .selectFrom('interactions')
    .select(['sequence', 'type', 'source', 'data'])
    .where('session_id', '=', sessionId)
    .where('sequence', '>', options.afterSequence ?? 0)
    .orderBy('sequence')
    .limit(limit)
    .execute();
  return rows.map((row) =>
    row.source === 'batch'
      ? ({ ...row.data, sessionId, sequence: row.sequence } as RecordedEvent)
      : legacyToRecordedEvent(sessionId, row.sequence, row.type, row.data),
  );
}
