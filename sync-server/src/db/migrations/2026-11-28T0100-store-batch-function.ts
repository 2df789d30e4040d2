import { sql, type Kysely } from 'kysely';

/**
 * `store_batch_events(...)`: the hot path of storing a sync batch — the session exists and belongs to
 * the sender — as one function call, so a batch costs one round trip instead of six statements. It does
 * what `storeBatch`'s TypeScript path does, in the same order and under the same row lock:
 *
 * 1. `select ... for update` on the session; not found or another worker's → returns no row and the
 *    caller takes the TypeScript path (which creates the session or refuses).
 * 2. Inserts the events (one jsonb array) with the columns of `mapEventToRow`, skipping stored
 *    `(session_id, sequence)`. The milliseconds become a timestamp by integer arithmetic: a float
 *    division could land a microsecond off and round to the wrong millisecond.
 * 3. Walks the contiguous watermark from `acked_through` (a cursor stops at the first gap).
 * 4. Adds the inserted events to `counts`, appends only URLs / hosts not already listed (first-seen
 *    order, capped) instead of rewriting the lists, re-judges the status, fills missing metadata.
 *
 * Hosts come from the caller (`p_hosts`: url → hostname, computed with the WHATWG URL parser like the
 * TypeScript path) because PostgreSQL has no URL parser a regex could match exactly.
 */
/** Exported for the down migration of `2026-12-02T1800-interactions-without-copies`, which restores it. */
export const CREATE = sql`
create or replace function store_batch_events(
  p_session text, p_worker text, p_events jsonb, p_hosts jsonb,
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
  select * into v_session from sessions where id = p_session for update;
  if not found or v_session.worker_id <> p_worker then
    return;
  end if;

  with ins as (
    insert into interactions (session_id, sequence, type, source, timestamp, timestamp_ms, url, title, tab_id,
      frame_id, selector, selectors, coordinates, modifiers, offset_x, offset_y, is_visible, context,
      element_analysis, target, data)
    select p_session, (e->>'sequence')::int, e->>'type', 'batch',
      to_timestamp((e->>'timestamp')::bigint / 1000) + ((e->>'timestamp')::bigint % 1000) * interval '1 millisecond',
      (e->>'timestamp')::bigint, e->>'url', e->>'title', (e->>'tabId')::bigint, (e->>'frameId')::bigint,
      e->'target'->'selectors'->>'css', nullif(e->'target'->'selectors', 'null'::jsonb), e->'coordinates',
      coalesce(e->'modifiers', '{}'::jsonb),
      case when e->>'type' in ('click', 'dblclick', 'contextmenu') then (e->>'offsetX')::float8 end,
      case when e->>'type' in ('click', 'dblclick', 'contextmenu') then (e->>'offsetY')::float8 end,
      case when e->>'type' in ('click', 'dblclick', 'contextmenu') then (e->>'isVisible')::boolean end,
      coalesce(e->'context', '{}'::jsonb), coalesce(e->'elementAnalysis', '{}'::jsonb),
      nullif(e->'target', 'null'::jsonb), e
    from jsonb_array_elements(p_events) e
    on conflict (session_id, sequence) do nothing
    returning sequence, type, url
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

export async function up(db: Kysely<unknown>): Promise<void> {
  await CREATE.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists store_batch_events(text, text, jsonb, jsonb, text, text, jsonb, int, int)`.execute(
    db,
  );
}
