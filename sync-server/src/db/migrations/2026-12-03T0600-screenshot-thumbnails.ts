import { sql, type Kysely } from 'kysely';

/**
 * Issue 13: small thumbnails of screenshots for the console's timeline, made by the
 * `screenshot-thumbnails` job. A table of its own rather than columns on `screenshots`: the ingest
 * path never touches it, and a screenshot that cannot be thumbnailed (a decompression bomb, bytes
 * that do not decode) gets a row too, saying why, so the job does not try it again. And jobs by kind,
 * newest first. Frozen once released, like every migration: literal values only.
 */

const TIMESTAMP = 'timestamptz(3)';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('screenshot_thumbnails')
    .addColumn('screenshot_id', 'text', (c) => c.primaryKey().references('screenshots.id').onDelete('cascade'))
    .addColumn('blob_key', 'text')
    .addColumn('mime', 'text')
    .addColumn('bytes', 'integer')
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('problem', 'text')
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(sql`now()`))
    // Either a thumbnail or the reason there is none.
    .addCheckConstraint(
      'screenshot_thumbnails_made_or_refused',
      sql`(blob_key is not null and mime is not null and bytes is not null and problem is null)
        or (blob_key is null and problem is not null)`,
    )
    .execute();
  // Jobs of one kind, newest first (the console's export list, GET /api/admin/jobs?kind=): the
  // thumbnail job adds a row per recording session and minute, and without this a listing of a rare
  // kind reads through all of them.
  await sql`create index jobs_kind_created_idx on jobs (kind, created_at, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_kind_created_idx').execute();
  await db.schema.dropTable('screenshot_thumbnails').execute();
}
