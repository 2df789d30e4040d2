import { sql, type Kysely } from 'kysely';

/**
 * Issue 14, the privacy report: what the client says it masked outside typed values (text, URLs,
 * titles, attributes), by rule and location, as its `session_close` reports it. Values are counted from
 * the events' own `mask`, so only the rest needs keeping. Null until such a close (older clients and
 * legacy ones never send it). Frozen once released, like every migration.
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sessions')
    // { "<rule>": { "<location>": count } }: counts only. The message's schema bounds it far below
    // the check (rules x five locations).
    .addColumn('client_mask_counts', 'jsonb', (c) =>
      c.check(sql`jsonb_typeof(client_mask_counts) = 'object' and pg_column_size(client_mask_counts) <= 8192`),
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').dropColumn('client_mask_counts').execute();
}
