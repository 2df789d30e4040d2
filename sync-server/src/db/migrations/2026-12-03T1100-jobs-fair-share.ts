import { sql, type Kysely } from 'kysely';

/**
 * Issue 13 (review): the job queue served jobs oldest first, so one worker whose uploads queued many
 * jobs (a leaked key flooding screenshots over many sessions) delayed every other worker's thumbnails
 * and analyses. Jobs now carry the worker they are for (`owner_key`, null for an operator's) and a
 * fair-share rank given at enqueue: the owner's highest live rank plus one, but never below the lowest
 * queued rank. Runners take the lowest rank first, so owners take turns. Frozen once released.
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('owner_key', 'text')
    .addColumn('fair_rank', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // The claim (lowest rank, then oldest) and the lowest queued rank, both read on this index.
  await sql`create index jobs_fair_idx on jobs (fair_rank, run_at, id) where state = 'queued'`.execute(db);
  // An owner's highest live rank, at each enqueue.
  await sql`create index jobs_owner_live_idx on jobs (owner_key, fair_rank)
    where owner_key is not null and state in ('queued', 'running')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index jobs_owner_live_idx`.execute(db);
  await sql`drop index jobs_fair_idx`.execute(db);
  await db.schema.alterTable('jobs').dropColumn('fair_rank').dropColumn('owner_key').execute();
}
