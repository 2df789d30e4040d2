import type { BatchMessage, RecordedEvent, Result } from '@codesight/schema';
import type { Kysely } from 'kysely';
import { startPostgres, type PostgresCluster } from '../../../scripts/lib/postgres-cluster';
import { createDatabase, type OpenDatabase } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import type { Database } from '../../src/db/schema';
import type { Refusal } from '../../src/refusal';

export { sampleRecordedEvents } from '@codesight/schema/testing';

/** A migrated database on a throwaway PostgreSQL 15 cluster, and a way to open more pools on it. */
export interface TestDatabase {
  cluster: PostgresCluster;
  url: string;
  open: OpenDatabase;
  /** Another Kysely instance with its own pg pool on the same database: a second server instance. */
  openAnother(poolSize?: number): Promise<OpenDatabase>;
  stop(): Promise<void>;
}

/** Starts a cluster, migrates its database and inserts the given workers. Call stop() in afterAll. */
export async function startTestDatabase(workerIds: string[] = []): Promise<TestDatabase> {
  const cluster = await startPostgres();
  const opened: OpenDatabase[] = [];
  const openAnother = async (poolSize = 5) => {
    const db = await createDatabase({ databaseUrl: cluster.url, dataDir: cluster.dir, poolSize });
    opened.push(db);
    return db;
  };
  try {
    const open = await openAnother(10);
    await migrateToLatest(open.db);
    await addWorkers(open.db, workerIds);
    return {
      cluster,
      url: cluster.url,
      open,
      openAnother,
      stop: async () => {
        await Promise.allSettled(opened.map((o) => o.close()));
        await cluster.stop();
      },
    };
  } catch (err) {
    await Promise.allSettled(opened.map((o) => o.close()));
    await cluster.stop();
    throw err;
  }
}

/** Inserts workers named after their ids. */
async function addWorkers(db: Kysely<Database>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .insertInto('workers')
    .values(ids.map((id) => ({ id, name: `Worker ${id}` })))
    .execute();
}

/** The batch carrying `events` (consecutive events of one session). */
export function batchOf(events: RecordedEvent[], batchId = `b-${events[0]!.sequence}`): BatchMessage {
  const first = events[0]!;
  return {
    type: 'batch',
    v: 1,
    batchId,
    sessionId: first.sessionId,
    firstSequence: first.sequence,
    lastSequence: first.sequence + events.length - 1,
    events,
  };
}

/** The value of an ingest result; throws on a refusal, so tests can use the success value directly. */
export function unwrap<T>(result: Result<T, Refusal>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}
