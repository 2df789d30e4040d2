import { Migrator, type Kysely, type MigrationResult } from 'kysely';
import { migrationProvider } from './migrations';
import type { Database } from './schema';

/** A Migrator over the server's migrations (for `migrateToLatest`, tests and a rollback tool). */
export function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({ db, provider: migrationProvider });
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Applies every pending migration and returns the names applied (empty when up to date). On failure
 * throws one Error naming the failing migration; on PostgreSQL the whole run is one transaction, so
 * nothing of it stays applied. Safe to call from several instances at once (the Migrator takes a lock).
 */
export async function migrateToLatest(db: Kysely<Database>): Promise<{ applied: string[] }> {
  const { error, results = [] } = await createMigrator(db).migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r: MigrationResult) => r.status === 'Error');
    const where = failed ? `migration ${failed.migrationName}` : 'migration setup';
    throw new Error(`${where} failed: ${describeError(error)}`, { cause: error });
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
