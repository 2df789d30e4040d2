import { sql, type Kysely } from 'kysely';

/**
 * Issue 13, the optional screenshot analysis: what a vision model said about a screenshot, one row per
 * (screenshot, model), so the job resumes where it stopped and a second model's answers sit beside the
 * first's. Frozen once released, like every migration: `Kysely<unknown>` and literal values only.
 */

// Millisecond precision, as in the initial migration.
const TIMESTAMP = 'timestamptz(3)';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('screenshot_analyses')
    .addColumn('screenshot_id', 'text', (c) => c.notNull().references('screenshots.id').onDelete('cascade'))
    // Denormalized from the screenshot: a session's analyses are read without a join.
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('model', 'text', (c) => c.notNull().check(sql`length(model) between 1 and 128`))
    // The model the endpoint says answered (often a dated name of the one asked for).
    .addColumn('served_model', 'text', (c) => c.check(sql`length(served_model) <= 128`))
    // The client keeps at most 4000 characters (MAX_ANALYSIS_CHARS); the check is the table's own bound.
    .addColumn('text', 'text', (c) => c.notNull().check(sql`length(text) <= 4000`))
    .addColumn('truncated', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('prompt_tokens', 'integer')
    .addColumn('completion_tokens', 'integer')
    .addColumn('total_tokens', 'integer')
    // The job whose attempt wrote it, for tracing a bad answer back to its run.
    .addColumn('job_id', 'text')
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    // The job's "not yet analysed" anti-join probes this key, and it makes a repeated write a no-op.
    .addPrimaryKeyConstraint('screenshot_analyses_pkey', ['screenshot_id', 'model'])
    .execute();
  // A session's analyses (the console, the job's per-session count).
  await db.schema
    .createIndex('screenshot_analyses_session_idx')
    .on('screenshot_analyses')
    .columns(['session_id', 'model'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('screenshot_analyses').execute();
}
