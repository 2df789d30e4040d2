import { pathToFileURL } from 'node:url';
import { systemClock } from '@codesight/schema';
import { createDatabase, type OpenDatabase } from '../db/database';
import { migrateOnce } from '../db/migrate-once';
import { describeSettingsErrors, loadSettings } from '../settings';

/**
 * `npm run migrate -w sync-server`: applies pending migrations to DATABASE_URL (or the embedded
 * PGlite under DATA_DIR) and exits. The server also migrates at start (instances starting together
 * migrate once, under an advisory lock); this is for deploy pipelines that migrate before rolling out,
 * and takes the same lock, so it may run while instances start.
 */
export async function runMigrate(
  env: Record<string, string | undefined>,
  out: (line: string) => void,
  /** For tests: an open database to migrate (left open). */
  given?: OpenDatabase,
): Promise<number> {
  const loaded = loadSettings(env);
  if (!loaded.ok) {
    out(describeSettingsErrors(loaded.error));
    return 1;
  }
  const settings = loaded.value;
  const database = given ?? (await createDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir }));
  try {
    const { applied } = await migrateOnce(database.db, database.kind, {
      clock: systemClock,
      onWaiting: () => out('Another process is migrating this database; waiting for it to finish…'),
    });
    out(
      applied.length === 0
        ? `Database (${database.kind}) is up to date.`
        : `Applied ${applied.length} migration(s) to ${database.kind}: ${applied.join(', ')}`,
    );
    return 0;
  } catch (err) {
    out(`Migration failed: ${(err as Error).message}`);
    return 1;
  } finally {
    if (!given) await database.close();
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  runMigrate(process.env, (line) => process.stdout.write(`${line}\n`)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
