import { sql, type Kysely } from 'kysely';
import { RECORD_STORED_EVENTS } from './2026-12-03T0300-record-stored-events';

/**
 * record_stored_events v2: the same summary and watermark, with less PostgreSQL work per stored event.
 *
 * - New URLs and hosts: v1 asked `urls ? url` for every stored event before grouping, and `?` on a
 *   jsonb array is a linear scan of up to 1,000 URLs; a batch of 500 events holds a handful of distinct
 *   URLs, so grouping first asks it a handful of times.
 * - Watermark: v1 stepped through every stored sequence above the watermark in a PL/pgSQL loop. When
 *   those sequences are contiguous (the usual case: batches arrive in order) their count and maximum
 *   say so in one index-only aggregate; the loop remains for a session with a gap.
 *
 * Frozen once released, like every migration.
 */
export const RECORD_STORED_EVENTS_V2 = sql`
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
  v_above int;
  v_max int;
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
  batch_urls as (
    select url, min(sequence) as first from ins where url is not null and url <> '' group by url
  ),
  new_urls as (
    select url, first from batch_urls where not (v_session.urls ? url)
    order by first
    limit greatest(0, p_max_urls - jsonb_array_length(v_session.urls))
  ),
  batch_hosts as (
    select p_hosts->>url as host, min(first) as first from batch_urls
    where p_hosts->>url is not null group by p_hosts->>url
  ),
  new_hosts as (
    select host, first from batch_hosts where not (v_session.hosts ? host)
    order by first
    limit greatest(0, p_max_hosts - jsonb_array_length(v_session.hosts))
  )
  select (select count(*) from ins),
    (select jsonb_object_agg(type, n) from by_type),
    (select jsonb_agg(url order by first) from new_urls),
    (select jsonb_agg(host order by first) from new_hosts)
  into v_inserted, v_counts, v_urls, v_hosts;

  v_watermark := v_session.acked_through;
  select count(*), max(sequence) into v_above, v_max
  from interactions where session_id = p_session and sequence > v_session.acked_through;
  if v_above > 0 and v_max = v_session.acked_through + v_above then
    v_watermark := v_max;
  elsif v_above > 0 then
    for v_seq in
      select sequence from interactions where session_id = p_session and sequence > v_session.acked_through order by sequence
    loop
      exit when v_seq <> v_watermark + 1;
      v_watermark := v_seq;
    end loop;
  end if;

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

export async function up(db: Kysely<unknown>): Promise<void> {
  await RECORD_STORED_EVENTS_V2.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await RECORD_STORED_EVENTS.execute(db);
}
