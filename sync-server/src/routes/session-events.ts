import type { Kysely } from 'kysely';
import type { RecordedEvent } from '@codesight/schema';
import type { Database } from '../db/schema';
import { MAX_EVENT_PAGE, readSessionEvents } from '../ingest/read-events';

/**
 * A session's events in sequence order, read a page at a time so a 100k-event session is never in
 * memory at once. `upTo` stops at that sequence: a second pass over a session that is still
 * receiving events then covers exactly what the first pass saw (appended events are not included).
 */
export async function* iterateSessionEvents(
  db: Kysely<Database>,
  sessionId: string,
  upTo?: number,
): AsyncGenerator<RecordedEvent, void, undefined> {
  let after = 0;
  for (;;) {
    const page = await readSessionEvents(db, sessionId, { afterSequence: after });
    for (const event of page) {
      if (upTo !== undefined && event.sequence > upTo) return;
      yield event;
    }
    const last = page.at(-1);
    if (page.length < MAX_EVENT_PAGE || !last) return;
    after = last.sequence;
  }
}

/**
 * Reads up to `limit` events at once; `complete` is false when the session has more. One more event
 * than `limit` is read to tell, so `limit` stays below the storage page size.
 */
export async function readEventsUpTo(
  db: Kysely<Database>,
  sessionId: string,
  requested: number,
): Promise<{ events: RecordedEvent[]; complete: boolean }> {
  const limit = Math.min(requested, MAX_EVENT_PAGE - 1);
  const events = await readSessionEvents(db, sessionId, { limit: limit + 1 });
  return events.length > limit ? { events: events.slice(0, limit), complete: false } : { events, complete: true };
}
