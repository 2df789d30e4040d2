import { sql, type Kysely } from 'kysely';
import { STORE_BATCH_V2 } from './2026-12-02T1800-interactions-without-copies';

/**
 * Issue 12: large batches are stored by COPY (ingest/store-batch-copy.ts), which cannot say which rows
 * it inserted the way `insert ... returning` does. The session summary and watermark that
 * `store_batch_events` computed after its insert move into `record_stored_events`, which both call:
 * `store_batch_events` with what its insert returned, the COPY path with the events it copied. One
 * implementation of the summary in SQL, so the two paths cannot drift (ingest-store-batch-call.test
 * compares both with the TypeScript path). Doing it in SQL also keeps the session's `urls` (up to
 * 1,000 of them, TOASTed) inside the database: read into Node and written back per batch, they cost
 * more than the COPY saved on a batch of 500 events (measured). And the list is stored uncompressed
 * (below).
 *
 * Frozen once released, like every migration.
 */

export const RECORD_STORED_EVENTS = sql`
create or replace function record_stored_events(
  p_session text, p_sequences int[], p_types text[], p_urls text[], p_hosts jsonb,
  p_user_agent text, p_extension_version text, p_masking_policy jsonb,
  p_max_urls int, p_max_hosts int)
returns table (o_acked_through int, o_inserted int)
language plpgsql as $fn$
declare
  v_session sessions%rowtype;
  v_inserted int;
  v_counts jsonb;
  v_urls jsonb;
  v_hosts jsonb;
  v_watermark int;
  v_seq int;
begin
  -- The caller holds this lock already; taking it again is free and keeps the function safe alone.
  select * into v_session from sessions where id = p_session for update;
  if not found then
    return;
  end if;

  with ins as (
    select * from unnest(p_sequences, p_types, p_urls) as t(sequence, type, url)
  ),
  by_type as (select type, count(*) as n from ins group by type),
  new_urls as (
    select url, min(sequence) as first from ins
    where url is not null and url <> '' and not (v_session.urls ? url)
    group by url order by first
    limit greatest(0, p_max_urls - jsonb_array_length(v_session.urls))
  ),
  new_hosts as (
    select p_hosts->>url as host, min(sequence) as first from ins
    where url is not null and url <> '' and p_hosts->>url is not null and not (v_session.hosts ? (p_hosts->>url))
    group by p_hosts->>url order by first
    limit greatest(0, p_max_hosts - jsonb_array_length(v_session.hosts))
  )
  select (select count(*) from ins),
    (select jsonb_object_agg(type, n) from by_type),
    (select jsonb_agg(url order by first) from new_urls),
    (select jsonb_agg(host order by first) from new_hosts)
  into v_inserted, v_counts, v_urls, v_hosts;

  v_watermark := v_session.acked_through;
  for v_seq in
    select sequence from interactions where session_id = p_session and sequence > v_session.acked_through order by sequence
  loop
    exit when v_seq <> v_watermark + 1;
    v_watermark := v_seq;
  end loop;

  update sessions set
    event_count = event_count + v_inserted,
    acked_through = greatest(acked_through, v_watermark),
    status = case
      when v_session.status in ('active', 'abandoned') then 'active'
      when v_watermark >= coalesce(v_session.final_count, v_session.event_count + v_inserted) then 'complete'
      else 'incomplete' end,
    counts = case when v_counts is null then counts else (
      select jsonb_object_agg(k, coalesce((counts->>k)::int, 0) + coalesce((v_counts->>k)::int, 0))
      from (select jsonb_object_keys(counts) union select jsonb_object_keys(v_counts)) as keys(k)) end,
    urls = case when v_urls is null then urls else urls || v_urls end,
    hosts = case when v_hosts is null then hosts else hosts || v_hosts end,
    user_agent = coalesce(user_agent, nullif(p_user_agent, '')),
    extension_version = coalesce(extension_version, nullif(p_extension_version, '')),
    masking_policy = coalesce(masking_policy, p_masking_policy),
    last_activity_at = now(),
    updated_at = now()
  where id = p_session;

  return query select greatest(v_session.acked_through, v_watermark), v_inserted;
end
$fn$`;

/** store_batch_events v3: the v2 insert, then record_stored_events with what it inserted. */
const STORE_BATCH_V3 = sql`
create or replace function store_batch_events(
  p_session text, p_worker text, p_events jsonb, p_hosts jsonb,
  p_user_agent text, p_extension_version text, p_masking_policy jsonb,
  p_max_urls int, p_max_hosts int)
returns table (o_acked_through int, o_inserted int)
language plpgsql as $fn$
declare
  v_worker text;
  v_sequences int[];
  v_types text[];
  v_urls text[];
begin
  select worker_id into v_worker from sessions where id = p_session for update;
  if not found or v_worker <> p_worker then
    return;
  end if;

  with ins as (
    insert into interactions (session_id, sequence, type, source, timestamp, timestamp_ms, url, title, tab_id,
      frame_id, selector, offset_x, offset_y, is_visible, data)
    select p_session, (e->>'sequence')::int, e->>'type', 'batch',
      to_timestamp((e->>'timestamp')::bigint / 1000) + ((e->>'timestamp')::bigint % 1000) * interval '1 millisecond',
      (e->>'timestamp')::bigint, e->>'url', e->>'title', (e->>'tabId')::bigint, (e->>'frameId')::bigint,
      e->'target'->'selectors'->>'css',
      case when e->>'type' in ('click', 'dblclick', 'contextmenu') then (e->>'offsetX')::float8 end,
      case when e->>'type' in ('click', 'dblclick', 'contextmenu') then (e->>'offsetY')::float8 end,
      case when e->>'type' in ('click', 'dblclick', 'contextmenu') then (e->>'isVisible')::boolean end,
      e
    from jsonb_array_elements(p_events) e
    on conflict (session_id, sequence) do nothing
    returning sequence, type, url
  )
  select coalesce(array_agg(sequence), '{}'), coalesce(array_agg(type), '{}'), coalesce(array_agg(url), '{}')
  into v_sequences, v_types, v_urls
  from ins;

  return query select * from record_stored_events(p_session, v_sequences, v_types, v_urls, p_hosts,
    p_user_agent, p_extension_version, p_masking_policy, p_max_urls, p_max_hosts);
end
$fn$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await RECORD_STORED_EVENTS.execute(db);
  await STORE_BATCH_V3.execute(db);
  // A batch that brings a new URL rewrites the session's whole list (up to 1,000 URLs, ~100 KB), and
  // PostgreSQL compressed it (pglz) on every rewrite and decompressed it on every read: with 500-event
  // batches that was ~15 us of PostgreSQL CPU per stored event (lz4: ~9 us). Stored uncompressed it
  // costs a few KB more per session, next to ~1.4 KB per stored event.
  await sql`alter table sessions alter column urls set storage external`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sessions alter column urls set storage extended`.execute(db);
  await STORE_BATCH_V2.execute(db);
  await sql`drop function record_stored_events(text, int[], text[], text[], jsonb, text, text, jsonb, int, int)`.execute(
    db,
  );
}
