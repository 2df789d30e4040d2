import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database } from '../db/schema';
import type { Principal } from './principal';

/**
 * A credential that stopped being valid: a key revoked, or a worker disabled (or deleted). Open sockets
 * on it are closed. Sent by PostgreSQL triggers on {@link CREDENTIAL_CHANNEL} (migration
 * 2026-12-02T1300-credential-notify) to every instance, and in-process by the code that revokes.
 */
export type CredentialChange = { keyId: string } | { workerId: string };

/**
 * The PostgreSQL NOTIFY channel the `api_keys` and `workers` triggers send {@link CredentialChange}s on
 * (JSON). A constant of the migration: changing it means a new migration.
 */
export const CREDENTIAL_CHANNEL = 'codesight_credentials';

const CredentialChangeSchema = v.union([
  v.object({ keyId: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
  v.object({ workerId: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
]);

/** The change a notification payload announces; undefined when it is not one (then re-check everything). */
export function parseCredentialChange(payload: string | undefined): CredentialChange | undefined {
  if (payload === undefined || payload.length > 1000) return undefined;
  try {
    const parsed = v.safeParse(CredentialChangeSchema, JSON.parse(payload));
    return parsed.success ? parsed.output : undefined;
  } catch {
    return undefined;
  }
}

/** True when `principal` is the one `change` revokes. */
export function isRevokedBy(change: CredentialChange, principal: Principal): boolean {
  if (principal.kind !== 'worker') return false;
  return 'keyId' in change ? principal.keyId === change.keyId : principal.workerId === change.workerId;
}

/** What an open socket of a principal revoked by `change` is told. */
export function revocationMessage(change: CredentialChange): string {
  return 'keyId' in change ? 'API key revoked' : 'worker disabled';
}

/** In-process subscribers to credential changes made through one database handle. */
export interface CredentialChanges {
  /** Tells every subscriber; a subscriber that throws does not stop the others. */
  publish(change: CredentialChange): void;
  /** Calls `listener` for every change published from now on; returns the unsubscribe function. */
  subscribe(listener: (change: CredentialChange) => void): () => void;
}

const byDatabase = new WeakMap<Kysely<Database>, CredentialChanges>();

/**
 * The in-process channel of credential changes made through `db`. Keyed by the database handle, so the
 * sockets of the app built on it hear a revocation at once without a round trip through PostgreSQL (and
 * on PGlite, which is one process, without NOTIFY at all), while another instance in the same process
 * (tests run two) hears it only the way a separate process would: through PostgreSQL.
 */
export function credentialChanges(db: Kysely<Database>): CredentialChanges {
  let changes = byDatabase.get(db);
  if (changes === undefined) {
    const listeners = new Set<(change: CredentialChange) => void>();
    changes = {
      publish(change) {
        for (const listener of listeners) {
          try {
            listener(change);
          } catch {
            // A listener's failure is its own (it logs); the other listeners still hear the change.
          }
        }
      },
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    byDatabase.set(db, changes);
  }
  return changes;
}
