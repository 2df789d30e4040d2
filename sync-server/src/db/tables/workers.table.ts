import type { Insertable, Selectable, Updateable } from 'kysely';
import type { NullableTimestamp, TimestampDefaultNow } from '../column-types';

/** A crowd worker: the owner of sessions and API keys. */
export interface WorkersTable {
  id: string;
  name: string;
  created_at: TimestampDefaultNow;
  /** Set when the worker may no longer authenticate; their data is kept. */
  disabled_at: NullableTimestamp;
}

export type WorkerRow = Selectable<WorkersTable>;
export type NewWorker = Insertable<WorkersTable>;
export type WorkerUpdate = Updateable<WorkersTable>;
