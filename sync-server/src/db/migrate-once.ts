import type { Clock } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import { migrateToLatest } from './migrate';
import type { Database } from './schema';

/**
 * The session-level advisory lock every instance takes around its migration run: a fixed, arbitrary
 * key (below 2^53 so it travels as a plain number), distinct from the transaction-level lock Kysely's
 * Migrator takes on `hashtext('kysely_migration')`.
 */
export const MIGRATION_LOCK_KEY = 7_302_416_580_924_113;

/**
 * How long an instance waits for another instance's migration run before giving up (and failing its
 * start, so the process manager retries). Migrations that rewrite a large table can take minutes; a
 * holder that crashed releases the lock at once (its session ends), so a longer wait means a stuck run.
 */
export const DEFAULT_MIGRATION_LOCK_TIMEOUT_MS = 15 * 60_000;

/** What {@link migrateOnce} did. */
export interface MigrateOnceResult {
  /** Migrations this call applied; empty when another instance (or an earlier deploy) already had. */
  applied: string[];
  /** Milliseconds spent waiting for another instance's run to finish (0 when the lock was free). */
  waitedMs: number;
}

/** Options of {@link migrateOnce}. */
export interface MigrateOnceOptions {
  clock: Clock;
  /** Called once when another instance holds the lock and this one starts waiting for it. */
  onWaiting?: () => void;
  lockTimeoutMs?: number;
}

/**
 * Migrates to the latest version so that, of several instances starting together against one
 * PostgreSQL database, exactly one runs the migrations: each takes a session advisory lock on a
 * dedicated pooled connection first, and whoever gets it second finds nothing left to apply. Kysely's
 * own lock alone would also serialize the runs, but inside each run's transaction, where a waiter
 * cannot tell "waiting for another instance" from "migrating" and cannot bound its wait. The embedded
 * PGlite has one process by construction and needs no lock.
 */
export async function migrateOnce(
  db: Kysely<Database>,
  kind: 'postgres' | 'pglite',
  options: MigrateOnceOptions,
): Promise<MigrateOnceResult> {
  if (kind === 'pglite') return { ...(await migrateToLatest(db)), waitedMs: 0 };
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_MIGRATION_LOCK_TIMEOUT_MS;
  return db.connection().execute(async (conn) => {
    const started = options.clock.now();
    const tried = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_lock(${MIGRATION_LOCK_KEY}::bigint) as locked`.execute(conn);
    if (tried.rows[0]?.locked !== true) {
      options.onWaiting?.();
      // Session-level, on this connection only; reset before it goes back to the pool.
      await sql`select set_config('lock_timeout', ${String(lockTimeoutMs)}, false)`.execute(conn);
      try {
        await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY}::bigint)`.execute(conn);
      } catch (error) {
        throw new Error(
          `another instance held the migration lock for more than ${lockTimeoutMs} ms (its migrations may be stuck: see pg_locks where objid = ${MIGRATION_LOCK_KEY % 2 ** 32})`,
          { cause: error },
        );
      } finally {
        await sql`select set_config('lock_timeout', '0', false)`.execute(conn);
      }
    }
    const waitedMs = options.clock.now() - started;
    try {
      return { ...(await migrateToLatest(db)), waitedMs };
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`.execute(conn);
    }
  });
}
