import type { Insertable, Selectable, Updateable } from 'kysely';
import type { TimestampDefaultNow } from '../column-types';

/** An exported file of a whole session (ZIP, JSON, training data) kept in the blob store. */
export interface SessionArchivesTable {
  id: string;
  session_id: string;
  /** What the file is, e.g. `zip`, `json`, `training-data`. */
  kind: string;
  blob_key: string;
  sha256: string;
  bytes: number;
  created_at: TimestampDefaultNow;
}

export type SessionArchiveRow = Selectable<SessionArchivesTable>;
export type NewSessionArchive = Insertable<SessionArchivesTable>;
export type SessionArchiveUpdate = Updateable<SessionArchivesTable>;
