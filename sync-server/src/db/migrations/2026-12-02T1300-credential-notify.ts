import { sql, type Kysely } from 'kysely';

/**
 * Issue 10: revoking a key or disabling a worker reaches the open sockets of every instance. Triggers
 * on `api_keys` and `workers` NOTIFY the channel `codesight_credentials` (CREDENTIAL_CHANNEL in
 * auth/credential-changes.ts) with `{"keyId"}` or `{"workerId"}` whenever a key is revoked or deleted
 * and a worker disabled or deleted, whoever does it: the admin API, the CLI, or SQL by hand. NOTIFY is
 * delivered at commit, to every instance LISTENing (auth/credential-listener.ts). Frozen once released,
 * like every migration: literal SQL only.
 */

const KEY_FUNCTION = sql`
create or replace function codesight_notify_key_revoked() returns trigger
language plpgsql as $fn$
begin
  if tg_op = 'DELETE' then
    perform pg_notify('codesight_credentials', json_build_object('keyId', old.id)::text);
  elsif new.revoked_at is not null then
    perform pg_notify('codesight_credentials', json_build_object('keyId', new.id)::text);
  end if;
  return null;
end
$fn$`;

const WORKER_FUNCTION = sql`
create or replace function codesight_notify_worker_disabled() returns trigger
language plpgsql as $fn$
begin
  if tg_op = 'DELETE' then
    perform pg_notify('codesight_credentials', json_build_object('workerId', old.id)::text);
  elsif new.disabled_at is not null then
    perform pg_notify('codesight_credentials', json_build_object('workerId', new.id)::text);
  end if;
  return null;
end
$fn$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await KEY_FUNCTION.execute(db);
  await WORKER_FUNCTION.execute(db);
  // "update of": the per-minute last_used_at refresh of every key does not fire it.
  await sql`create trigger api_keys_notify_revoked
    after update of revoked_at or delete on api_keys
    for each row execute function codesight_notify_key_revoked()`.execute(db);
  await sql`create trigger workers_notify_disabled
    after update of disabled_at or delete on workers
    for each row execute function codesight_notify_worker_disabled()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists workers_notify_disabled on workers`.execute(db);
  await sql`drop trigger if exists api_keys_notify_revoked on api_keys`.execute(db);
  await sql`drop function if exists codesight_notify_worker_disabled()`.execute(db);
  await sql`drop function if exists codesight_notify_key_revoked()`.execute(db);
}
