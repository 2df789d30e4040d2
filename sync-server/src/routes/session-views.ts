import { EVENT_TYPES, type Session } from '@codesight/schema';
import type { SessionSummaryRow, SessionViewRow } from '../ingest/read-sessions';

/** A session as list endpoints return it: legacy names (`sessionId`, `totalEvents`, `duration`) plus sync state. */
export interface SessionSummary {
  sessionId: string;
  workerId: string;
  status: SessionSummaryRow['status'];
  /** ISO 8601. */
  startTime: string;
  endTime: string | null;
  /** Milliseconds from start to end (or to the last activity while still open). */
  duration: number;
  totalEvents: number;
  /** Highest N such that 1..N are stored. */
  ackedThrough: number;
  /** What the client announced at the end; null while open. */
  finalCount: number | null;
  /** Events announced but not stored (`incomplete: N missing`); null while the final count is unknown. */
  missing: number | null;
  pagesVisited: string[];
  counts: Record<string, number>;
  userAgent: string | null;
  extensionVersion: string | null;
  lastActivityAt: string;
  createdAt: string;
}

/** Serializes a session row for list endpoints. */
export function toSessionSummary(row: SessionSummaryRow): SessionSummary {
  const end = row.end_time ?? row.last_activity_at;
  return {
    sessionId: row.id,
    workerId: row.worker_id,
    status: row.status,
    startTime: row.start_time.toISOString(),
    endTime: row.end_time ? row.end_time.toISOString() : null,
    duration: Math.max(0, end.getTime() - row.start_time.getTime()),
    totalEvents: row.event_count,
    ackedThrough: row.acked_through,
    finalCount: row.final_count,
    missing: row.final_count === null ? null : Math.max(0, row.final_count - row.event_count),
    pagesVisited: row.hosts,
    counts: row.counts,
    userAgent: row.user_agent,
    extensionVersion: row.extension_version,
    lastActivityAt: row.last_activity_at.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * The session row in the shape the shared export builders take (the extension's Session). A session
 * still open on the server is `recording`; closed or abandoned ones are `stopped`. Legacy sessions
 * have no masking policy on record: they get an empty one, marked `legacy`.
 */
export function toExportSession(row: SessionViewRow): Session {
  return {
    id: row.id,
    startTime: row.start_time.getTime(),
    ...(row.end_time && { endTime: row.end_time.getTime() }),
    status: row.status === 'active' ? 'recording' : 'stopped',
    eventCount: row.event_count,
    eventCounts: Object.fromEntries(
      Object.entries(row.counts).filter(([type]) => (EVENT_TYPES as readonly string[]).includes(type)),
    ),
    pagesVisited: row.hosts,
    userAgent: row.user_agent ?? '',
    ...(row.extension_version && { extensionVersion: row.extension_version }),
    maskingPolicy: row.masking_policy ?? { version: 'legacy', rules: [] },
  };
}
