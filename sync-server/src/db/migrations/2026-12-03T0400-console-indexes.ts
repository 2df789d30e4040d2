import { sql, type Kysely } from 'kysely';

/**
 * Issue 13, the admin console's session list: newest first by start time, keyset-paginated on
 * (start_time, id), optionally for one worker or one host. Without these a deep page or a rare filter
 * sorts or scans every session. Frozen once released, like every migration: literal values only.
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('sessions_start_idx').on('sessions').columns(['start_time', 'id']).execute();
  await db.schema
    .createIndex('sessions_worker_start_idx')
    .on('sessions')
    .columns(['worker_id', 'start_time', 'id'])
    .execute();
  // jsonb_path_ops: the list filters hosts only by containment (`hosts @> '["shop.example"]'`).
  await sql`create index sessions_hosts_idx on sessions using gin (hosts jsonb_path_ops)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('sessions_hosts_idx').execute();
  await db.schema.dropIndex('sessions_worker_start_idx').execute();
  await db.schema.dropIndex('sessions_start_idx').execute();
}
