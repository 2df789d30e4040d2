import type { Insertable, Selectable, Updateable } from 'kysely';
import type { IntWithDefault, NullableTimestamp, TimestampDefaultNow } from '../column-types';

/** An admin who signs in to the console with a password (issue 13). */
export interface AdminAccountsTable {
  id: string;
  /** Lower-case; unique. */
  username: string;
  /** scrypt PHC string with its parameters and salt (admin-auth/password-hash.ts). */
  password_hash: string;
  created_at: TimestampDefaultNow;
  password_changed_at: TimestampDefaultNow;
  last_sign_in_at: NullableTimestamp;
  /** Set when the account may no longer sign in; its sessions stop working at once. */
  disabled_at: NullableTimestamp;
  /** Failed sign-ins since the last successful one. */
  failed_attempts: IntWithDefault;
  locked_until: NullableTimestamp;
}

export type AdminAccountRow = Selectable<AdminAccountsTable>;
export type NewAdminAccount = Insertable<AdminAccountsTable>;
export type AdminAccountUpdate = Updateable<AdminAccountsTable>;
