import { sql, type Kysely } from 'kysely';

/**
 * Issue 9: tab video chunks (a second MediaRecorder track, stored like narration audio) and the
 * viewport a screenshot was taken in. Frozen once released, like every migration: `Kysely<unknown>`
 * and literal values only.
 */

// Millisecond precision, as in the initial migration.
const TIMESTAMP = 'timestamptz(3)';
const NOW = sql`now()`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('video_chunks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('chunk_index', 'integer', (c) => c.notNull())
    .addColumn('start_time', TIMESTAMP, (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('uploaded_at', TIMESTAMP)
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    // Also serves "video by session, in chunk order": session_id leads.
    .addUniqueConstraint('video_chunks_session_chunk_key', ['session_id', 'chunk_index'])
    .execute();
  await db.schema.createIndex('video_chunks_blob_key_idx').on('video_chunks').column('blob_key').execute();

  await db.schema
    .alterTable('screenshots')
    // CSS pixels; width/height are the stored image's, which may be downscaled.
    .addColumn('viewport_width', 'integer')
    .addColumn('viewport_height', 'integer')
    // double precision, not real: ratios such as 1.1 or 2.625 must read back exactly as sent.
    .addColumn('device_pixel_ratio', 'double precision')
    .execute();

  // The order of a session's screenshot listing, keyset-paginated: (timestamp, burst position, id).
  // It leads with (session_id, timestamp), so it replaces the index that was only that.
  await sql`create index screenshots_session_order_idx
    on screenshots (session_id, timestamp, (coalesce(burst_index, 0)), id)`.execute(db);
  await db.schema.dropIndex('screenshots_session_time_idx').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('screenshots_session_time_idx')
    .on('screenshots')
    .columns(['session_id', 'timestamp'])
    .execute();
  await db.schema.dropIndex('screenshots_session_order_idx').execute();
  await db.schema
    .alterTable('screenshots')
    .dropColumn('device_pixel_ratio')
    .dropColumn('viewport_height')
    .dropColumn('viewport_width')
    .execute();
  await db.schema.dropTable('video_chunks').execute();
}
