import type { Clock } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import {
  findAdminAccount,
  lockoutStateOf,
  recordFailedSignIn,
  recordFailedSignInOfNobody,
  recordSuccessfulSignIn,
  upgradePasswordHash,
} from './admin-accounts';
import {
  createAdminSession,
  deleteExpiredAdminSessions,
  type AdminSession,
  type SessionPolicy,
} from './admin-sessions';
import { lockDurationMs, lockedForMs, type LockoutPolicy } from './lockout';
import { DEFAULT_SCRYPT_PARAMS, formatPasswordHash, hashPassword, needsRehash, verifyPassword } from './password-hash';
import type { UnknownUserLockouts } from './unknown-user-lockouts';
import { isValidUsername, normalizeUsername } from './username';
import type { WorkGate } from './work-gate';

/** What a sign-in checks against. */
export interface SignInDeps {
  db: Kysely<Database>;
  clock: Pick<Clock, 'now'>;
  lockout: LockoutPolicy;
  session: SessionPolicy;
  unknownUsers: UnknownUserLockouts;
  /** Bounds concurrent password hashing. */
  hashGate: WorkGate;
}

/**
 * How a sign-in ended. `refused` is one answer for an unknown user, a wrong password and a disabled
 * account alike; `locked` too (unknown names are locked like real ones); `busy` when too many
 * password checks are already queued.
 */
export type SignInOutcome =
  | { kind: 'signed_in'; token: string; session: AdminSession }
  | { kind: 'refused' }
  | { kind: 'locked'; retryAfterMs: number }
  | { kind: 'busy' };

/**
 * What an unknown user's password is checked against: a well-formed hash with the current parameters
 * that no password matches (2^-256), so the check costs what a real one does.
 */
const DUMMY_HASH = formatPasswordHash({
  params: DEFAULT_SCRYPT_PARAMS,
  salt: Buffer.alloc(16, 0x5a),
  hash: Buffer.alloc(32, 0xa5),
});

/**
 * Signs in with a user name and password (whose length the caller checked). Every attempt that is not
 * locked costs one scrypt check and one database update, whether the name exists or not.
 */
export async function signIn(
  deps: SignInDeps,
  typedUsername: string,
  password: string,
  ip: string,
): Promise<SignInOutcome> {
  const username = normalizeUsername(typedUsername);
  const account = isValidUsername(username) ? await findAdminAccount(deps.db, username) : undefined;
  const state = account ? lockoutStateOf(account) : deps.unknownUsers.stateOf(username);
  const locked = lockedForMs(state, deps.clock.now());
  if (locked > 0) return { kind: 'locked', retryAfterMs: locked };

  const check = deps.hashGate.run(() => verifyPassword(password, account?.password_hash ?? DUMMY_HASH));
  if (check === undefined) return { kind: 'busy' };
  const matches = await check;
  const now = deps.clock.now();

  if (!account || !matches || account.disabled_at !== null) {
    if (account) await recordFailedSignIn(deps.db, account.id, now, (n) => lockDurationMs(n, deps.lockout));
    else {
      deps.unknownUsers.fail(username, now);
      await recordFailedSignInOfNobody(deps.db);
    }
    return { kind: 'refused' };
  }
  if (!(await recordSuccessfulSignIn(deps.db, account.id, now))) {
    const after = await findAdminAccount(deps.db, username);
    return { kind: 'locked', retryAfterMs: Math.max(1000, after ? lockedForMs(lockoutStateOf(after), now) : 0) };
  }
  if (needsRehash(account.password_hash)) {
    const rehash = deps.hashGate.run(() => hashPassword(password));
    if (rehash) await upgradePasswordHash(deps.db, account.id, account.password_hash, await rehash);
  }
  await deleteExpiredAdminSessions(deps.db, now);
  const { token, session } = await createAdminSession(deps.db, account, deps.session, now, ip);
  return { kind: 'signed_in', token, session };
}
