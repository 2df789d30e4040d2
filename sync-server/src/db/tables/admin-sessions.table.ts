import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Timestamp } from '../column-types';

/** A signed-in browser of an admin: the cookie's token is stored as its SHA-256 only. */
export interface AdminSessionsTable {
  id: string;
  admin_id: string;
  token_hash: string;
  /** The synchronizer token state-changing requests must echo in X-CSRF-Token. */
  csrf_token: string;
  created_at: Timestamp;
  /** Absolute end, however active the session is. */
  expires_at: Timestamp;
  /** Refreshed at most once a minute; a session idle longer than the idle timeout is over. */
  last_seen_at: Timestamp;
  created_ip: string | null;
}

export type AdminSessionRow = Selectable<AdminSessionsTable>;
export type NewAdminSession = Insertable<AdminSessionsTable>;
export type AdminSessionUpdate = Updateable<AdminSessionsTable>;
