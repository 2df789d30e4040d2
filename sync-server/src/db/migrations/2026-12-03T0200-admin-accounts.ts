import { sql, type Kysely } from 'kysely';

/**
 * Issue 13: admin accounts with passwords, and their browser sessions. Passwords are stored as scrypt
 * strings (admin-auth/password-hash.ts), session tokens as their SHA-256 only. Frozen once released,
 * like every migration: literal values only.
 */

const TIMESTAMP = 'timestamptz(3)';
const NOW = sql`now()`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('admin_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Lower-case, checked by the code that creates accounts; unique so sign-in finds one row.
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addColumn('password_changed_at', TIMESTAMP, (c) => c.notNull().defaultTo(NOW))
    .addColumn('last_sign_in_at', TIMESTAMP)
    .addColumn('disabled_at', TIMESTAMP)
    // Failed sign-ins since the last successful one, and the lock they earned (admin-auth/lockout.ts).
    .addColumn('failed_attempts', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`failed_attempts >= 0`),
    )
    .addColumn('locked_until', TIMESTAMP)
    .execute();

  await db.schema
    .createTable('admin_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('admin_id', 'text', (c) => c.notNull().references('admin_accounts.id').onDelete('cascade'))
    // Lower-case hex SHA-256 of the cookie's token: a database leak gives no usable cookie.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('expires_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('last_seen_at', TIMESTAMP, (c) => c.notNull())
    .addColumn('created_ip', 'text')
    .execute();
  await db.schema.createIndex('admin_sessions_admin_idx').on('admin_sessions').column('admin_id').execute();
  await db.schema.createIndex('admin_sessions_expires_idx').on('admin_sessions').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('admin_sessions').ifExists().execute();
  await db.schema.dropTable('admin_accounts').ifExists().execute();
}
