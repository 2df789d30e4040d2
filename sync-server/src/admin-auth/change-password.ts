import { findAdminAccount, lockoutStateOf, recordFailedSignIn, setAdminPassword } from './admin-accounts';
import { createAdminSession, type AdminSession } from './admin-sessions';
import { lockDurationMs, lockedForMs } from './lockout';
import { hashPassword, verifyPassword } from './password-hash';
import type { SignInDeps, SignInOutcome } from './sign-in';

/**
 * An admin changes their own password from the console. The current password is asked for again, so a
 * stolen session cookie alone cannot take the account over; a wrong one counts toward the account's
 * lock-out like a failed sign-in. On success every session of the account ends (whoever held one knew
 * the old password or stole it) and a new one is started for this browser. Both passwords' lengths
 * are checked by the caller.
 */
export async function changeOwnPassword(
  deps: SignInDeps,
  session: AdminSession,
  currentPassword: string,
  newPassword: string,
  ip: string,
): Promise<SignInOutcome> {
  const account = await findAdminAccount(deps.db, session.username);
  if (!account || account.disabled_at !== null) return { kind: 'refused' };
  const locked = lockedForMs(lockoutStateOf(account), deps.clock.now());
  if (locked > 0) return { kind: 'locked', retryAfterMs: locked };

  const check = deps.hashGate.run(() => verifyPassword(currentPassword, account.password_hash));
  if (check === undefined) return { kind: 'busy' };
  if (!(await check)) {
    await recordFailedSignIn(deps.db, account.id, deps.clock.now(), (n) => lockDurationMs(n, deps.lockout));
    return { kind: 'refused' };
  }
  const hashing = deps.hashGate.run(() => hashPassword(newPassword));
  if (hashing === undefined) return { kind: 'busy' };
  if (!(await setAdminPassword(deps.db, account.username, await hashing))) return { kind: 'refused' };
  const { token, session: fresh } = await createAdminSession(deps.db, account, deps.session, deps.clock.now(), ip);
  return { kind: 'signed_in', token, session: fresh };
}
