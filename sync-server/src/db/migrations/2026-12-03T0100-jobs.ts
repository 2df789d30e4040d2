import { sql, type Kysely } from 'kysely';

/**
 * Issue 13: the background job queue, one table claimed with `FOR UPDATE SKIP LOCKED` by every server
 * instance (and by the one process of an embedded PGlite). Frozen once released, like every migration:
 * `Kysely<unknown>` and literal values only.
 */

// Millisecond precision, as in the initial migration: keyset cursors compare exactly.
const TIMESTAMP = 'timestamptz(3)';
const NOW = sql`now()`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('queued', 'running', 'succeeded', 'failed')`))
    .addColumn('dedupe_key', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    // When a queued job may run next: now for a new one, later after a failed attempt (backoff).
    .addColumn('run_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', TIMESTAMP)
    .addColumn('progress', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('result', 'jsonb')
    .addColumn('last_error', 'text')
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addColumn('started_at', TIMESTAMP)
    .addColumn('finished_at', TIMESTAMP)
    .execute();

  // What a runner asks on every poll: due queued jobs, and running jobs whose lease ran out.
  await sql`create index jobs_due_idx on jobs (run_at) where state = 'queued'`.execute(db);
  await sql`create index jobs_lease_idx on jobs (lease_expires_at) where state = 'running'`.execute(db);
  // One live job per dedupe key: a second enqueue of "archive:<session>" while one is queued or running
  // finds that one. A finished job frees its key, so the work can be asked for again later.
  await sql`create unique index jobs_live_dedupe_key on jobs (dedupe_key)
    where dedupe_key is not null and state in ('queued', 'running')`.execute(db);
  // The admin listing, newest first, optionally by state or kind (keyset on created_at, id).
  await sql`create index jobs_created_idx on jobs (created_at, id)`.execute(db);
  await sql`create index jobs_state_created_idx on jobs (state, created_at, id)`.execute(db);
  // The latest archive job of a session, by its dedupe key, whatever its state.
  await sql`create index jobs_dedupe_created_idx on jobs (dedupe_key, created_at) where dedupe_key is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jobs').execute();
}
