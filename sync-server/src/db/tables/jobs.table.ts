import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';
import type { IntWithDefault, Jsonb, NullableJsonb, NullableTimestamp, Timestamp } from '../column-types';

/** Where a job is in its life; `succeeded` and `failed` are final. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed';

/** A background job (`jobs`): its payload, its state and what the last attempt said. */
export interface JobsTable {
  id: string;
  /** The handler that runs it, e.g. `session-archive`. */
  kind: string;
  payload: Jsonb<unknown>;
  state: ColumnType<JobState, JobState, JobState>;
  /** Unique among live (queued, running) jobs: enqueueing it again returns the live job. */
  dedupe_key: string | null;
  /** Attempts started so far, the running one included. */
  attempts: IntWithDefault;
  max_attempts: number;
  run_at: Timestamp;
  /** The runner holding the job while it runs; null otherwise. */
  lease_owner: string | null;
  lease_expires_at: NullableTimestamp;
  /** 0..1, as the handler last reported it. */
  progress: ColumnType<number, number | undefined, number>;
  /** A short JSON result once succeeded. */
  result: NullableJsonb<unknown>;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  /** Whose work it is (`worker:<id>`), for fair turns between workers; null for an operator's job. */
  owner_key: ColumnType<string | null, string | null | undefined, never>;
  /** Fair-share rank given at enqueue (bigint, read as text): runners take the lowest first. */
  fair_rank: ColumnType<string, string | undefined, never>;
}

export type JobRow = Selectable<JobsTable>;
export type NewJob = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
