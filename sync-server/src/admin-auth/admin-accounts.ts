import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AdminAccountRow, Database } from '../db/schema';
import type { LockoutState } from './lockout';

/**
 * Repository of admin accounts. Password hashes go in and are compared in sign-in.ts; they never come
 * out of {@link listAdminAccounts}.
 */

/** An admin account as listed (never the hash). */
export interface AdminAccountSummary {
  id: string;
  username: string;
  createdAt: string;
  lastSignInAt: string | null;
  disabledAt: string | null;
  failedAttempts: number;
  lockedUntil: string | null;
}

/** Why an account could not be created. */
export type CreateAdminRefusal = 'username_taken';

/** Creates an account; `username_taken` when the name exists (whatever its case: names are stored lower-case). */
export async function createAdminAccount(
  db: Kysely<Database>,
  username: string,
  passwordHash: string,
): Promise<{ id: string } | CreateAdminRefusal> {
  const id = randomUUID();
  const inserted = await db
    .insertInto('admin_accounts')
    .values({ id, username, password_hash: passwordHash })
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted ? { id } : 'username_taken';
}

/** The account named `username`, or undefined. */
export async function findAdminAccount(db: Kysely<Database>, username: string): Promise<AdminAccountRow | undefined> {
  return db.selectFrom('admin_accounts').selectAll().where('username', '=', username).executeTakeFirst();
}

/**
 * Sets a new password, clears the lock-out, and ends every session of the account (whoever knew the
 * old password may hold one). False when there is no such account.
 */
export async function setAdminPassword(db: Kysely<Database>, username: string, passwordHash: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('admin_accounts')
      .set({ password_hash: passwordHash, password_changed_at: new Date(), failed_attempts: 0, locked_until: null })
      .where('username', '=', username)
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('admin_sessions').where('admin_id', '=', row.id).execute();
    return true;
  });
}

/** Disables (ending its sessions) or re-enables an account. False when there is no such account. */
export async function setAdminDisabled(db: Kysely<Database>, username: string, disabled: boolean): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('admin_accounts')
      .set({ disabled_at: disabled ? new Date() : null })
      .where('username', '=', username)
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    if (disabled) await trx.deleteFrom('admin_sessions').where('admin_id', '=', row.id).execute();
    return true;
  });
}

/** Every account, oldest first. */
export async function listAdminAccounts(db: Kysely<Database>): Promise<AdminAccountSummary[]> {
  const rows = await db.selectFrom('admin_accounts').selectAll().orderBy('created_at').orderBy('username').execute();
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    createdAt: r.created_at.toISOString(),
    lastSignInAt: iso(r.last_sign_in_at),
    disabledAt: iso(r.disabled_at),
    failedAttempts: r.failed_attempts,
    lockedUntil: iso(r.locked_until),
  }));
}

/** The lock-out state of a row, for lockout.ts. */
export function lockoutStateOf(row: Pick<AdminAccountRow, 'failed_attempts' | 'locked_until'>): LockoutState {
  return { failedAttempts: row.failed_attempts, lockedUntil: row.locked_until?.getTime() ?? null };
}

/**
 * Counts one failed sign-in (atomically: concurrent failures each count) and sets the lock it earns.
 * `lockFor` maps the new count to a lock length (lockout.ts). Returns the state after it.
 */
export async function recordFailedSignIn(
  db: Kysely<Database>,
  id: string,
  now: number,
  lockFor: (failedAttempts: number) => number,
): Promise<LockoutState> {
  const row = await db
    .updateTable('admin_accounts')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', id)
    .returning(['failed_attempts', 'locked_until'])
    .executeTakeFirst();
  if (!row) return { failedAttempts: 0, lockedUntil: null };
  const lock = lockFor(row.failed_attempts);
  if (lock <= 0) return lockoutStateOf(row);
  const lockedUntil = new Date(now + lock);
  await db.updateTable('admin_accounts').set({ locked_until: lockedUntil }).where('id', '=', id).execute();
  return { failedAttempts: row.failed_attempts, lockedUntil: lockedUntil.getTime() };
}

/**
 * The same statement as {@link recordFailedSignIn}'s on no row: a wrong guess at an unknown user name
 * costs the same database round trip as one at a real account, so timing does not tell them apart.
 */
export async function recordFailedSignInOfNobody(db: Kysely<Database>): Promise<void> {
  await db
    .updateTable('admin_accounts')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', '00000000-0000-0000-0000-000000000000')
    .returning(['failed_attempts', 'locked_until'])
    .executeTakeFirst();
}

/**
 * Records a successful sign-in at `now`: clears the failures. False when the account was locked in the
 * meantime (a concurrent guess locked it while this password was being checked): then nothing changes.
 */
export async function recordSuccessfulSignIn(db: Kysely<Database>, id: string, now: number): Promise<boolean> {
  const at = new Date(now);
  const row = await db
    .updateTable('admin_accounts')
    .set({ failed_attempts: 0, locked_until: null, last_sign_in_at: at })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', at)]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Stores a re-hash made with current parameters (sign-in does it after a successful check), unless the
 * password was changed meanwhile.
 */
export async function upgradePasswordHash(
  db: Kysely<Database>,
  id: string,
  oldHash: string,
  newHash: string,
): Promise<void> {
  await db
    .updateTable('admin_accounts')
    .set({ password_hash: newHash })
    .where('id', '=', id)
    .where('password_hash', '=', oldHash)
    .execute();
}
