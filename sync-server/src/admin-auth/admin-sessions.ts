import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';

/**
 * Browser sessions of admin accounts. The cookie holds an opaque random token; the database only its
 * SHA-256 (a leaked table gives no usable cookie), beside the session's CSRF token. A session ends at
 * `expires_at`, after `idleMs` without use, on sign-out, or when its account is disabled or its
 * password reset (admin-accounts.ts deletes its rows; the lookup also refuses disabled accounts).
 */

/** How long sessions last. */
export interface SessionPolicy {
  lifetimeMs: number;
  idleMs: number;
}

/** A live session as the routes see it. */
export interface AdminSession {
  id: string;
  adminId: string;
  username: string;
  csrfToken: string;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
  /** Epoch ms when it ends if unused from now on (the earlier of idle and absolute expiry). */
  idleExpiresAt: number;
}

/** 256 bits: guessing a live token is hopeless, so no per-token lock-out is needed. */
const TOKEN_BYTES = 32;
/** The shape of a token we minted (base64url of 32 bytes); anything else is refused unhashed. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/**
 * `last_seen_at` is written at most once a minute per session: a console polling every few seconds
 * stays a read, and the idle timeout (minutes) does not need finer precision.
 */
const LAST_SEEN_GRANULARITY_MS = 60_000;

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** True when `token` has the shape of a session token (checked before any hashing or lookup). */
export function looksLikeSessionToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** Starts a session for `adminId` at `now`; returns the cookie's token (shown once) and the session. */
export async function createAdminSession(
  db: Kysely<Database>,
  account: { id: string; username: string },
  policy: SessionPolicy,
  now: number,
  ip: string,
): Promise<{ token: string; session: AdminSession }> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  const csrfToken = randomBytes(TOKEN_BYTES).toString('base64url');
  const id = randomUUID();
  const expiresAt = now + policy.lifetimeMs;
  await db
    .insertInto('admin_sessions')
    .values({
      id,
      admin_id: account.id,
      token_hash: sha256(token),
      csrf_token: csrfToken,
      created_at: new Date(now),
      expires_at: new Date(expiresAt),
      last_seen_at: new Date(now),
      // Bounded: TRUST_PROXY's X-Forwarded-For entry is client-written text.
      created_ip: ip.slice(0, 64),
    })
    .execute();
  const session: AdminSession = {
    id,
    adminId: account.id,
    username: account.username,
    csrfToken,
    createdAt: now,
    expiresAt,
    idleExpiresAt: Math.min(expiresAt, now + policy.idleMs),
  };
  return { token, session };
}

/**
 * The live session of `token` at `now`, or undefined (unknown, expired, idle too long, account
 * disabled). An expired or idle session found here is deleted.
 */
export async function findAdminSession(
  db: Kysely<Database>,
  token: string,
  policy: SessionPolicy,
  now: number,
): Promise<AdminSession | undefined> {
  if (!looksLikeSessionToken(token)) return undefined;
  const row = await db
    .selectFrom('admin_sessions')
    .innerJoin('admin_accounts', 'admin_accounts.id', 'admin_sessions.admin_id')
    .select([
      'admin_sessions.id',
      'admin_sessions.admin_id',
      'admin_sessions.csrf_token',
      'admin_sessions.created_at',
      'admin_sessions.expires_at',
      'admin_sessions.last_seen_at',
      'admin_accounts.username',
      'admin_accounts.disabled_at',
    ])
    .where('admin_sessions.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.disabled_at !== null) return undefined;
  const expiresAt = row.expires_at.getTime();
  const lastSeen = row.last_seen_at.getTime();
  if (now >= expiresAt || now - lastSeen >= policy.idleMs) {
    await db.deleteFrom('admin_sessions').where('id', '=', row.id).execute();
    return undefined;
  }
  let seen = lastSeen;
  if (now - lastSeen >= LAST_SEEN_GRANULARITY_MS) {
    seen = now;
    await db
      .updateTable('admin_sessions')
      .set({ last_seen_at: new Date(now) })
      .where('id', '=', row.id)
      .execute();
  }
  return {
    id: row.id,
    adminId: row.admin_id,
    username: row.username,
    csrfToken: row.csrf_token,
    createdAt: row.created_at.getTime(),
    expiresAt,
    idleExpiresAt: Math.min(expiresAt, seen + policy.idleMs),
  };
}

/** Ends a session (sign-out). */
export async function deleteAdminSession(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('admin_sessions').where('id', '=', id).execute();
}

/**
 * Deletes sessions past their absolute expiry. Sign-in calls it, so the table stays as small as the
 * number of recent sign-ins without a timer; idle ones are deleted when next presented or once expired.
 */
export async function deleteExpiredAdminSessions(db: Kysely<Database>, now: number): Promise<void> {
  await db.deleteFrom('admin_sessions').where('expires_at', '<=', new Date(now)).execute();
}
