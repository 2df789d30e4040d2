import { sql, type Kysely } from 'kysely';

/**
 * The initial schema. A migration is frozen once released: it uses `Kysely<unknown>` and literal values,
 * never the table types or schema constants, which will move on while this file must not.
 */

// Millisecond precision, the precision of a JS Date: values read back compare exactly (keyset cursors).
const TIMESTAMP = 'timestamptz(3)';
const NOW = sql`now()`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addColumn('disabled_at', TIMESTAMP)
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('worker_id', 'text', (c) => c.notNull().references('workers.id').onDelete('cascade'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addColumn('revoked_at', TIMESTAMP)
    .addColumn('last_used_at', TIMESTAMP)
    .execute();
  await db.schema.createIndex('api_keys_worker_idx').on('api_keys').column('worker_id').execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('worker_id', 'text', (c) => c.notNull().references('workers.id'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('active')
        .check(sql`status in ('active', 'complete', 'incomplete', 'abandoned')`),
    )
    .addColumn('start_time', TIMESTAMP, (c) => c.notNull())
    .addColumn('end_time', TIMESTAMP)
    .addColumn('final_count', 'integer', (c) => c.check(sql`final_count >= 0`))
    .addColumn('acked_through', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('event_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('urls', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('hosts', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('counts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('user_agent', 'text')
    .addColumn('masking_policy', 'jsonb')
    .addColumn('extension_version', 'text')
    .addColumn('metadata', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('last_activity_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addColumn('updated_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .execute();
  // Listing (newest first, keyset on created_at + id), per worker and for everyone.
  await db.schema
    .createIndex('sessions_worker_created_idx')
    .on('sessions')
    .columns(['worker_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('sessions_created_idx').on('sessions').columns(['created_at', 'id']).execute();
  // The abandon sweep: active sessions by last activity.
  await db.schema
    .createIndex('sessions_status_activity_idx')
    .on('sessions')
    .columns(['status', 'last_activity_at'])
    .execute();
  // Recent activity across all sessions.
  await db.schema.createIndex('sessions_activity_idx').on('sessions').column('last_activity_at').execute();

  await db.schema
    .createTable('interactions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('sequence', 'integer', (c) => c.notNull().check(sql`sequence >= 1`))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) =>
      c
        .notNull()
        .defaultTo('batch')
        .check(sql`source in ('batch', 'legacy')`),
    )
    .addColumn('timestamp', TIMESTAMP, (c) => c.notNull())
    .addColumn('timestamp_ms', 'bigint', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('title', 'text')
    // bigint: tab and frame ids are opaque integers from the browser, not guaranteed to fit int4.
    .addColumn('tab_id', 'bigint')
    .addColumn('frame_id', 'bigint')
    .addColumn('selector', 'text')
    .addColumn('selectors', 'jsonb')
    .addColumn('coordinates', 'jsonb')
    .addColumn('modifiers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('offset_x', 'double precision')
    .addColumn('offset_y', 'double precision')
    .addColumn('is_visible', 'boolean')
    .addColumn('context', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('element_analysis', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('target', 'jsonb')
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    // The idempotence key of ingest (insert ... on conflict do nothing) and the order of reads.
    .addUniqueConstraint('interactions_session_sequence_key', ['session_id', 'sequence'])
    .execute();
  await db.schema.createIndex('interactions_type_idx').on('interactions').column('type').execute();

  await db.schema
    .createTable('screenshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('burst_id', 'text')
    .addColumn('burst_index', 'integer')
    .addColumn('burst_total', 'integer')
    .addColumn('trigger', 'text')
    .addColumn('trigger_sequence', 'integer')
    .addColumn('timestamp', TIMESTAMP, (c) => c.notNull())
    .addColumn('compression_ratio', 'real')
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('width', 'integer')
    .addColumn('height', 'integer')
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', TIMESTAMP)
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addUniqueConstraint('screenshots_session_burst_key', ['session_id', 'burst_id', 'burst_index'])
    .execute();
  await db.schema
    .createIndex('screenshots_session_time_idx')
    .on('screenshots')
    .columns(['session_id', 'timestamp'])
    .execute();
  // Completing an upload marks every row that points at the blob.
  await db.schema.createIndex('screenshots_blob_key_idx').on('screenshots').column('blob_key').execute();

  await db.schema
    .createTable('audio_chunks')
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
    // Also serves "audio by session": session_id leads.
    .addUniqueConstraint('audio_chunks_session_chunk_key', ['session_id', 'chunk_index'])
    .execute();
  await db.schema.createIndex('audio_chunks_blob_key_idx').on('audio_chunks').column('blob_key').execute();

  await db.schema
    .createTable('session_archives')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .execute();
  await db.schema.createIndex('session_archives_session_idx').on('session_archives').column('session_id').execute();

  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('worker_id', 'text', (c) => c.notNull().references('workers.id').onDelete('cascade'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('blob_key', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addColumn('completed_at', TIMESTAMP)
    .execute();
  await db.schema
    .createIndex('uploads_worker_created_idx')
    .on('uploads')
    .columns(['worker_id', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Children before parents (foreign keys).
  for (const table of [
    'uploads',
    'session_archives',
    'audio_chunks',
    'screenshots',
    'interactions',
    'sessions',
    'api_keys',
    'workers',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
