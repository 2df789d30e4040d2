import type { RecordedEvent } from '../entities/event';
import type { Session } from '../entities/session';
import { EventSummarizer } from './event-summary';
import { toLegacyEvent, type LegacyEvent } from './legacy-event';
import type { LegacySessionExport } from './legacy-session';
import { legacyHeader, legacySummary } from './legacy-session-fields';

/**
 * The whole legacy session JSON (`LegacySessionExportSchema`) in memory. Events must come in sequence
 * order. `events` holds every recorded event, `tab` / `resize` / `visibility` included, so `totalEvents`
 * equals `events.length`. Pure: the extension and the sync server (`/sessions/:id/data`) share it; for
 * long sessions see `legacySessionChunks`, which writes the same text in pieces.
 */
export function buildLegacySession(session: Session, events: Iterable<RecordedEvent>): LegacySessionExport {
  const summarizer = new EventSummarizer();
  const legacyEvents: LegacyEvent[] = [];
  for (const event of events) {
    summarizer.add(event);
    legacyEvents.push(toLegacyEvent(event));
  }
  const summary = summarizer.result();
  return { ...legacyHeader(session, summary), events: legacyEvents, summary: legacySummary(session, summary) };
}
