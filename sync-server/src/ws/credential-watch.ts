import type { Clock } from '@codesight/schema';
import type { Kysely } from 'kysely';
import { activeKeyIds } from '../auth/api-keys';
import { credentialChanges, isRevokedBy, revocationMessage, type CredentialChange } from '../auth/credential-changes';
import { listenForCredentialChanges, type CredentialListener } from '../auth/credential-listener';
import type { Principal } from '../auth/principal';
import type { Database } from '../db/schema';
import type { Logger } from '../log';
import { repeatEvery, type RepeatingTask } from '../timers';
import type { ConnectionRegistry } from './connection-registry';

/** What {@link createCredentialWatch} watches, and with what. */
export interface CredentialWatchOptions {
  registry: ConnectionRegistry;
  db: Kysely<Database>;
  /** PostgreSQL: LISTEN there for other instances' revocations. Unset (PGlite, one process): in-process only. */
  databaseUrl: string | undefined;
  clock: Clock;
  logger: Logger;
  /** How often every open socket's credential is re-checked (WS_CREDENTIAL_CHECK_MS). */
  checkEveryMs: number;
}

/** Keeps the open sockets' credentials honest; see {@link createCredentialWatch}. */
export interface CredentialWatch {
  /** Starts watching (idempotent): called when a socket authenticates. Stops when the registry shuts down. */
  start(): void;
  /** Whether `principal`'s credential is still valid; rejects when the database cannot tell. */
  verify(principal: Principal): Promise<boolean>;
  /** Re-checks every open socket's credential now, closing those no longer valid. Never rejects. */
  checkAll(): Promise<void>;
}

/**
 * Closes the sockets of a principal whose credential stopped being valid, on every instance:
 *
 * - a key revoked or a worker disabled is announced in-process by the code that revokes and, on
 *   PostgreSQL, by the triggers' NOTIFY to every instance: the sockets close within milliseconds;
 * - every `checkEveryMs` all open sockets are checked against the database in one query (and admin
 *   tokens against their expiry): the safety net for a missed notification (listener reconnecting);
 *   each check renews the sockets' credential leases, which bound how old a check a message may rely on.
 *
 * Started lazily, so an app that never holds a socket (tests calling `app.request`) opens no extra
 * connection and runs no timer; stopped by {@link ConnectionRegistry.closeAll} on shutdown.
 */
export function createCredentialWatch(options: CredentialWatchOptions): CredentialWatch {
  const { registry, db, clock, logger } = options;
  let started = false;

  const revokeBy = (change: CredentialChange) => {
    const closed = registry.revokeWhere(
      (principal) => isRevokedBy(change, principal),
      () => revocationMessage(change),
    );
    if (closed > 0) logger.info('ws_credential_change', { ...change, closed });
  };

  const checkAll = async () => {
    const at = clock.now();
    const keyIds = registry.principals().flatMap((p) => (p.kind === 'worker' ? [p.keyId] : []));
    let active: Set<string>;
    try {
      active = await activeKeyIds(db, keyIds);
    } catch (error) {
      logger.warn('ws_credential_check_failed', { error });
      return;
    }
    const checked = new Set(keyIds);
    const now = clock.now();
    // Sockets that authenticated while the query ran were not checked: they are left alone.
    const closed = registry.revokeWhere(
      (p) => (p.kind === 'worker' ? checked.has(p.keyId) && !active.has(p.keyId) : p.expiresAt <= now),
      (p) => (p.kind === 'worker' ? 'API key revoked or worker disabled' : 'admin token expired'),
    );
    registry.confirmWhere((p) => (p.kind === 'worker' ? active.has(p.keyId) : p.expiresAt > now), at);
    if (closed > 0) logger.info('ws_credential_check_closed', { closed });
  };

  return {
    start() {
      if (started) return;
      started = true;
      const unsubscribe = credentialChanges(db).subscribe(revokeBy);
      const listener: CredentialListener | undefined =
        options.databaseUrl === undefined
          ? undefined
          : listenForCredentialChanges({
              databaseUrl: options.databaseUrl,
              clock,
              logger,
              onChange: revokeBy,
              onResync: () => void checkAll(),
            });
      const periodic: RepeatingTask = repeatEvery(clock, options.checkEveryMs, checkAll);
      registry.onShutdown(async () => {
        unsubscribe();
        await Promise.all([periodic.stop(), listener?.stop()]);
      });
    },
    async verify(principal) {
      if (principal.kind === 'admin') return principal.expiresAt > clock.now();
      return (await activeKeyIds(db, [principal.keyId])).has(principal.keyId);
    },
    checkAll,
  };
}
