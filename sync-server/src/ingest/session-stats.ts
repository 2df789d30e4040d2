import { webHostOf, type ServerSessionStatus } from '@codesight/schema';
import type { EventCounts } from '../db/schema';
import { MAX_SESSION_HOSTS, MAX_SESSION_URLS } from './limits';

/** The per-session summary columns ingest maintains. */
export interface SessionStats {
  counts: EventCounts;
  urls: string[];
  hosts: string[];
}

/** The bits of an event the summary needs. */
export interface StatsEvent {
  type: string;
  url?: string | null | undefined;
}

/**
 * The session's hosts are the sites visited: the same rule as the extension's `pagesVisited`
 * (http(s) only; extension and browser pages are not sites).
 */
export const hostOf = webHostOf;

function appendDistinct(list: string[], seen: Set<string>, value: string, cap: number): void {
  if (list.length < cap && !seen.has(value)) {
    seen.add(value);
    list.push(value);
  }
}

/**
 * The summary after adding newly stored events: counts per type, distinct URLs and hostnames in
 * first-seen order (capped). Pure; the inputs are not modified.
 */
export function addEventsToStats(stats: SessionStats, events: Iterable<StatsEvent>): SessionStats {
  const counts: EventCounts = { ...stats.counts };
  const urls = [...stats.urls];
  const hosts = [...stats.hosts];
  const seenUrls = new Set(urls);
  const seenHosts = new Set(hosts);
  for (const event of events) {
    counts[event.type] = (counts[event.type] ?? 0) + 1;
    if (!event.url) continue;
    appendDistinct(urls, seenUrls, event.url, MAX_SESSION_URLS);
    const host = hostOf(event.url);
    if (host !== null) appendDistinct(hosts, seenHosts, host, MAX_SESSION_HOSTS);
  }
  return { counts, urls, hosts };
}

/**
 * Status after new events were stored. Data revives an abandoned session; a closed session is
 * re-judged, so late events can turn `incomplete` into `complete`. The expected total is the client's
 * final count, or (legacy session_end without one) the number of events stored.
 */
export function statusAfterStore(
  session: { status: ServerSessionStatus; final_count: number | null },
  ackedThrough: number,
  eventCount: number,
): ServerSessionStatus {
  switch (session.status) {
    case 'active':
      return 'active';
    case 'abandoned':
      return 'active';
    case 'complete':
    case 'incomplete':
      return ackedThrough >= (session.final_count ?? eventCount) ? 'complete' : 'incomplete';
  }
}
