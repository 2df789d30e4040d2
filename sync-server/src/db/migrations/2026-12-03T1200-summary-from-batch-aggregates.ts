import { sql, type Kysely } from 'kysely';
import { RECORD_STORED_EVENTS_V2 } from './2026-12-03T0900-summary-per-distinct-url';

/**
 * Issue 12: the session summary from what a batch adds, not from its events one by one.
 *
 * `record_stored_events` took three arrays with one element per stored event (sequences, types, URLs)
 * and grouped them in SQL. Measured per 336-event batch of a realistic session (PostgreSQL CPU, one
 * call in its own transaction): 1.0–1.3 ms, of which ~0.3 ms only to parse the arguments (the URL array
 * alone is ~50 KB of text) — about 4 µs per stored event, a fifth of what the COPY itself costs. The
 * COPY path holds the batch in memory already, so it now sends the aggregates: how many events were
 * stored, their counts by type, and their distinct URLs in the order they first appear (a handful).
 * The same call with aggregates costs ~0.6 ms (scripts/bench/README.md, "Session summary").
 *
 * `record_batch_summary` is the one body of the summary and watermark. `record_stored_events` keeps its
 * signature for `store_batch_events` (the path of small batches, which knows what it inserted only
 * inside SQL) and becomes a SQL wrapper that aggregates its arrays and calls it, so both paths keep
 * producing the same summary (test/ingest-store-batch-call.test.ts compares them). Frozen once released.
 */
const RECORD_BATCH_SUMMARY = sql`
create or replace function record_batch_summary(
  p_session text, p_inserted int, p_counts jsonb, p_urls text[], p_hosts jsonb,
  p_user_agent text, p_extension_version text, p_masking_policy jsonb,
  p_max_urls int, p_max_hosts int)
returns table (o_acked_through int, o_inserted int)
language plpgsql as $fn$
declare
  v_session sessions%rowtype;
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

  -- p_urls: the stored events' URLs in the order they first appear; repeats and blanks are tolerated.
  if coalesce(cardinality(p_urls), 0) > 0 then
    with batch_urls as (
      select url, min(ord) as first from unnest(p_urls) with ordinality as t(url, ord)
      where url is not null and url <> '' group by url
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
    select (select jsonb_agg(url order by first) from new_urls),
      (select jsonb_agg(host order by first) from new_hosts)
    into v_urls, v_hosts;
  end if;

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
    event_count = event_count + p_inserted,
    acked_through = greatest(acked_through, v_watermark),
    status = case
      when v_session.status in ('active', 'abandoned') then 'active'
      when v_watermark >= coalesce(v_session.final_count, v_session.event_count + p_inserted) then 'complete'
      else 'incomplete' end,
    counts = case when p_counts is null or p_counts = '{}'::jsonb then counts else (
      select jsonb_object_agg(k, coalesce((counts->>k)::int, 0) + coalesce((p_counts->>k)::int, 0))
      from (select jsonb_object_keys(counts) union select jsonb_object_keys(p_counts)) as keys(k)) end,
    urls = case when v_urls is null then urls else urls || v_urls end,
    hosts = case when v_hosts is null then hosts else hosts || v_hosts end,
    user_agent = coalesce(user_agent, nullif(p_user_agent, '')),
    extension_version = coalesce(extension_version, nullif(p_extension_version, '')),
    masking_policy = coalesce(masking_policy, p_masking_policy),
    last_activity_at = now(),
    updated_at = now()
  where id = p_session;

  return query select greatest(v_session.acked_through, v_watermark), p_inserted;
end
$fn$`;

/** record_stored_events v3: v2's arguments aggregated (URLs ordered by first sequence, as v2 did), then the summary. */
const RECORD_STORED_EVENTS_V3 = sql`
create or replace function record_stored_events(
  p_session text, p_sequences int[], p_types text[], p_urls text[], p_hosts jsonb,
  p_user_agent text, p_extension_version text, p_masking_policy jsonb,
  p_max_urls int, p_max_hosts int)
returns table (o_acked_through int, o_inserted int)
language sql as $fn$
  select * from record_batch_summary(
    p_session,
    coalesce(cardinality(p_sequences), 0),
    (select jsonb_object_agg(type, n) from (
      select type, count(*) as n from unnest(p_types) as t(type) group by type) as by_type),
    (select array_agg(url order by first) from (
      select url, min(sequence) as first from unnest(p_sequences, p_urls) as t(sequence, url)
      where url is not null and url <> '' group by url) as by_url),
    p_hosts, p_user_agent, p_extension_version, p_masking_policy, p_max_urls, p_max_hosts)
$fn$`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await RECORD_BATCH_SUMMARY.execute(db);
  await RECORD_STORED_EVENTS_V3.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // v2 is plpgsql, v3 sql: replacing the language in place is allowed for the same signature.
  await RECORD_STORED_EVENTS_V2.execute(db);
  await sql`drop function record_batch_summary(text, int, jsonb, text[], jsonb, text, text, jsonb, int, int)`.execute(
    db,
  );
}
