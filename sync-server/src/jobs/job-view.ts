import type { JobRow } from '../db/schema';

/** A job as the admin API shows it. Times are ISO 8601; null when not (yet) set. */
export interface JobView {
  id: string;
  kind: string;
  state: JobRow['state'];
  payload: unknown;
  dedupeKey: string | null;
  attempts: number;
  maxAttempts: number;
  /** 0..1. */
  progress: number;
  result: unknown;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  /** When a queued job may run next. */
  runAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** The row as {@link JobView}. */
export function toJobView(row: JobRow): JobView {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    payload: row.payload,
    dedupeKey: row.dedupe_key,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    progress: row.progress,
    result: row.result,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    runAt: row.run_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    leaseOwner: row.lease_owner,
    leaseExpiresAt: iso(row.lease_expires_at),
  };
}
