import type { Clock } from '@codesight/schema';

/** What {@link CredentialLease.check} found: still valid, revoked, or not checkable now (database down). */
export type CredentialStatus = 'valid' | 'revoked' | 'unknown';

/**
 * How recently a connection's credential was found valid. A message is handled only on a credential
 * checked within `maxAgeMs`: the periodic re-check of every socket (credential-watch.ts) keeps leases
 * fresh, so the common case costs a comparison; a lease that went stale (re-check stalled, database
 * slow) is renewed by one lookup before the message is handled. Revocation thus reaches every message in
 * bounded time even if no notification arrives.
 */
export interface CredentialLease {
  /** A check that started at `at` (epoch ms) found the credential valid. */
  confirm(at: number): void;
  /** `valid` at once while fresh; otherwise looks the credential up (one lookup shared by concurrent callers). */
  check(): Promise<CredentialStatus>;
}

/**
 * Creates a lease confirmed now. `verify` resolves true while the credential is valid, false once it is
 * not, and rejects when it cannot tell; `onError` hears why.
 */
export function createCredentialLease(
  clock: Clock,
  maxAgeMs: number,
  verify: () => Promise<boolean>,
  onError: (error: unknown) => void,
): CredentialLease {
  let confirmedAt = clock.now();
  let renewing: Promise<CredentialStatus> | undefined;
  const confirm = (at: number) => {
    confirmedAt = Math.max(confirmedAt, at);
  };
  const renew = async (): Promise<CredentialStatus> => {
    const startedAt = clock.now();
    try {
      if (!(await verify())) return 'revoked';
      confirm(startedAt);
      return 'valid';
    } catch (error) {
      onError(error);
      return 'unknown';
    } finally {
      renewing = undefined;
    }
  };
  return {
    confirm,
    check() {
      if (clock.now() - confirmedAt <= maxAgeMs) return Promise.resolve('valid');
      renewing ??= renew();
      return renewing;
    },
  };
}
