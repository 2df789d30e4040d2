import type { IngestMetricsSnapshot } from '../metrics/ingest-metrics';

/*
 * Answers of the console's own API that have no other home (console-api-routes.ts); the console imports
 * these types (type-only), so a small module keeps what its typecheck pulls in small.
 */

/** `GET /api/admin/console/overview`: this instance's live numbers and the database's. */
export interface ConsoleOverview {
  connections: { open: number; authenticated: number };
  ingest: IngestMetricsSnapshot;
  sessionsToday: number;
  /** ISO 8601: the UTC midnight "today" counts from. */
  todayStartsAt: string;
  /** The database's size on disk; null where the engine cannot tell. */
  databaseBytes: number | null;
}
