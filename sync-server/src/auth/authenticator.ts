import { fail, ok, type Result } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import type { Refusal } from '../refusal';
import { verifyAdminToken } from './admin-token';
import { DEV_API_KEY, ensureDevWorker, findKeyOwner } from './api-keys';
import type { Credential, Principal } from './principal';

/** Checks credentials: API keys against the database, admin JWTs against the secret. */
export interface Authenticator {
  authenticate(credential: Credential): Promise<Result<Principal, Refusal>>;
}

/** What {@link createAuthenticator} checks credentials against. */
export interface AuthenticatorOptions {
  db: Kysely<Database>;
  jwtSecret: string;
  /** Production: the public dev key is refused even if a database still holds it. */
  production: boolean;
}

/** Longest credential looked at; anything longer is not ours (keys are 47 chars, JWTs a few hundred). */
const MAX_CREDENTIAL_LENGTH = 4096;

/** Creates an {@link Authenticator}. Failure messages never echo the credential. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  let devWorkerReady: Promise<unknown> | undefined;

  const byKey = async (key: string): Promise<Result<Principal, Refusal>> => {
    if (key === DEV_API_KEY) {
      if (options.production) return fail('authentication_failed', 'the development key is not accepted in production');
      // Created on first use; a failure is retried on the next attempt instead of being cached.
      devWorkerReady ??= ensureDevWorker(options.db).catch((err: unknown) => {
        devWorkerReady = undefined;
        throw err;
      });
      await devWorkerReady;
    }
    const owner = await findKeyOwner(options.db, key);
    if (!owner) return fail('authentication_failed', 'invalid or revoked API key');
    return ok({ kind: 'worker', workerId: owner.workerId, keyId: owner.keyId });
  };

  const byToken = async (token: string): Promise<Result<Principal, Refusal>> => {
    const verified = await verifyAdminToken(options.jwtSecret, token);
    if (!verified.ok) return fail('authentication_failed', verified.error.message);
    return ok({ kind: 'admin', subject: verified.value.sub, expiresAt: verified.value.exp * 1000 });
  };

  return {
    async authenticate(credential) {
      const { apiKey, token } = credential;
      if (apiKey !== undefined && apiKey.length > 0 && apiKey.length <= MAX_CREDENTIAL_LENGTH) return byKey(apiKey);
      if (token !== undefined && token.length > 0 && token.length <= MAX_CREDENTIAL_LENGTH) return byToken(token);
      return fail('not_authenticated', 'an API key or admin token is required');
    },
  };
}
