import type { ColumnType, Insertable, Selectable, Updateable } from 'kysely';
import type { MaskCountsByLocation, MaskingPolicy, ServerSessionStatus } from '@codesight/schema';
import type {
  IntWithDefault,
  JsonObject,
  JsonbWithDefault,
  NullableJsonb,
  NullableTimestamp,
  Timestamp,
  TimestampDefaultNow,
} from '../column-types';

/** Events stored per type, e.g. `{ "click": 12, "scroll": 40 }`. */
export type EventCounts = Record<string, number>;

/**
 * A recording session on the server (the legacy "UnifiedSession"), created by the first batch or
 * legacy message that names it, and owned by the worker who sent that.
 */
export interface SessionsTable {
  id: string;
  worker_id: string;
  status: ColumnType<ServerSessionStatus, ServerSessionStatus | undefined, ServerSessionStatus>;
  start_time: Timestamp;
  end_time: NullableTimestamp;
  /** Events the client says the session has (session_close / session_end); null until it says so. */
  final_count: number | null;
  /** Highest N such that sequences 1..N are all stored. Only ever moves forward. */
  acked_through: IntWithDefault;
  /** Events stored (duplicates not counted). */
  event_count: IntWithDefault;
  /** Distinct page URLs in first-seen order (capped). */
  urls: JsonbWithDefault<string[]>;
  /** Distinct hostnames in first-seen order (the legacy `pagesVisited`). */
  hosts: JsonbWithDefault<string[]>;
  counts: JsonbWithDefault<EventCounts>;
  user_agent: string | null;
  masking_policy: NullableJsonb<MaskingPolicy>;
  /** What the client says it masked outside values, from its `session_close`; null until then. */
  client_mask_counts: NullableJsonb<MaskCountsByLocation>;
  extension_version: string | null;
  /** Free-form keys legacy clients put on session_start. */
  metadata: JsonbWithDefault<JsonObject>;
  last_activity_at: TimestampDefaultNow;
  created_at: TimestampDefaultNow;
  updated_at: TimestampDefaultNow;
}

export type SessionRow = Selectable<SessionsTable>;
export type NewSession = Insertable<SessionsTable>;
export type SessionUpdate = Updateable<SessionsTable>;
