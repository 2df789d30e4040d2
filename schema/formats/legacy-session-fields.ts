import type { Session } from '../entities/session';
import type { EventSummary } from './event-summary';
import type { LegacySessionExport } from './legacy-session';

/**
 * The legacy session JSON around its `events`: the header before them and the summary after. Shared by
 * the whole-document builder and the streaming writer so both emit the same text.
 */

/** The keys before `events`, in the legacy key order. */
export function legacyHeader(session: Session, summary: EventSummary) {
  // While recording there is no end yet: the duration so far runs to the latest event.
  const end = session.endTime ?? summary.lastTimestamp ?? session.startTime;
  return {
    sessionId: session.id,
    startTime: new Date(session.startTime).toISOString(),
    endTime: session.endTime === undefined ? null : new Date(session.endTime).toISOString(),
    duration: Math.max(0, end - session.startTime),
    totalEvents: summary.totalEvents,
  };
}

/** The `summary` key after `events`. */
export function legacySummary(session: Session, summary: EventSummary): LegacySessionExport['summary'] {
  // The session row keeps hosts in first-visit order as they happen; event URLs add any it missed.
  const pagesVisited = [...new Set([...session.pagesVisited, ...summary.hostnames])];
  return {
    clicks: summary.clicks,
    inputs: summary.inputs,
    scrolls: summary.scrolls,
    navigations: summary.navigations,
    pagesVisited,
  };
}
