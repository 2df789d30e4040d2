import type { Insertable, Selectable, Updateable } from 'kysely';
import type { NullableTimestamp, TimestampDefaultNow } from '../column-types';

/** A worker's API key, stored only as its SHA-256: the key itself is shown once and never kept. */
export interface ApiKeysTable {
  id: string;
  worker_id: string;
  /** Lower-case hex SHA-256 of the whole key; unique. */
  key_hash: string;
  /** The first characters of the key, to tell keys apart in listings. */
  prefix: string;
  created_at: TimestampDefaultNow;
  revoked_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKey = Insertable<ApiKeysTable>;
export type ApiKeyUpdate = Updateable<ApiKeysTable>;
