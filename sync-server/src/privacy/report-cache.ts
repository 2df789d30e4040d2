import type { PrivacyReport } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { readPrivacyReport } from './server-masks';

/**
 * Answers a session's privacy report from memory while nothing it counts has changed. The report
 * counts a session's value events (~1.6 s of PostgreSQL time on a session of a million events), and a
 * leaked key could ask for it in a loop: what it reads changes only with the session row
 * (`updated_at`: events stored, a close) or with a new `server_masks` row (written just after its
 * events, so it gets its own part of the stamp). Both are read by index in well under a millisecond.
 */
export interface PrivacyReportCache {
  read(db: Kysely<Database>, sessionId: string): Promise<PrivacyReport>;
}

/** Reports kept; each is a few KiB at most (counts only). */
const CACHED_REPORTS = 256;

/** How a report is read and what stamps it; injectable for tests. */
export interface ReportSource {
  stamp(db: Kysely<Database>, sessionId: string): Promise<string>;
  load(db: Kysely<Database>, sessionId: string): Promise<PrivacyReport>;
}

const DATABASE_SOURCE: ReportSource = {
  async stamp(db, sessionId) {
    const row = await sql<{ stamp: string }>`
      select coalesce((select extract(epoch from updated_at)::text from sessions where id = ${sessionId}), '-')
        || '/' || coalesce((select max(sequence)::text from server_masks where session_id = ${sessionId}), '-')
        as stamp`.execute(db);
    return row.rows[0]?.stamp ?? '-';
  },
  load: readPrivacyReport,
};

/** A cache of at most {@link CACHED_REPORTS} reports, least recently used out first. */
export function createPrivacyReportCache(source: ReportSource = DATABASE_SOURCE): PrivacyReportCache {
  const reports = new Map<string, { stamp: string; report: PrivacyReport }>();
  return {
    async read(db, sessionId) {
      const stamp = await source.stamp(db, sessionId);
      const cached = reports.get(sessionId);
      reports.delete(sessionId);
      if (cached && cached.stamp === stamp) {
        reports.set(sessionId, cached);
        return cached.report;
      }
      const report = await source.load(db, sessionId);
      // Stamped before the read: a change during the read makes the next request read again.
      reports.set(sessionId, { stamp, report });
      for (const oldest of reports.keys()) {
        if (reports.size <= CACHED_REPORTS) break;
        reports.delete(oldest);
      }
      return report;
    },
  };
}
