import { sql, type Kysely } from 'kysely';

/**
 * Issue 14, masking on the server: what the server had to mask in an event a client sent unmasked,
 * one row per such event, keyed like the event. The key makes counting exactly-once: a resent event
 * is stored once and counted once, whatever the transport. Clients that mask (the extension) cause no
 * rows at all. Frozen once released, like every migration: `Kysely<unknown>` and literal values only.
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('server_masks')
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('sequence', 'integer', (c) => c.notNull())
    // { "<rule>": { "<location>": count } }: counts only, never any of the masked content. The size
    // check is the table's own bound (a few rules x five locations is under 1 KiB).
    .addColumn('counts', 'jsonb', (c) =>
      c.notNull().check(sql`jsonb_typeof(counts) = 'object' and pg_column_size(counts) <= 8192`),
    )
    // The primary key's index serves the per-session report (a range on session_id).
    .addPrimaryKeyConstraint('server_masks_pkey', ['session_id', 'sequence'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('server_masks').execute();
}
