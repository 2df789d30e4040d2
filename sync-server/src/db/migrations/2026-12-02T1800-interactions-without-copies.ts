import { sql, type Kysely } from 'kysely';
import { CREATE as CREATE_STORE_BATCH_V1 } from './2026-11-28T0100-store-batch-function';

/**
 * Issue 12: an event was stored twice. `data` holds the whole event, and six jsonb columns held copies
 * of its parts (`selectors`, `coordinates`, `modifiers`, `context`, `element_analysis`, `target`): a
 * 770-byte event became ~1.4 KB of row, and every insert parsed and TOASTed each part again. Nothing
 * reads those columns (every read goes through `data`), so they go; old tools that queried them in SQL
 * find them, computed from `data`, in the view `interactions_flat`. The small scalar columns (url,
 * title, selector, tab, frame, offsets, visibility, timestamps) stay: they are what queries filter on.
 *
 * Dropped columns keep their bytes in existing rows until the table is rewritten (`VACUUM FULL
 * interactions`), which this migration does not do: on a large table that is an operator's decision.
 * Frozen once released, like every migration.
 */

// Legacy rows keep the old client's object in `data`; its fields without a column of their own were
// what the `target` column held.
const LEGACY_COLUMN_FIELDS = sql.raw(
  `array['type','timestamp','sequence','url','title','tabId','frameId','selector','selectors','coordinates',` +
    `'modifiers','offsetX','offsetY','isVisible','context','elementAnalysis']`,
);

export const STORE_BATCH_V2 = sql`
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

/** The six parts as the old columns held them, from `data`, for both kinds of row. */
const FLAT_PARTS = sql`
  case when i.source = 'batch' then nullif(i.data->'target'->'selectors', 'null'::jsonb)
       else nullif(i.data->'selectors', 'null'::jsonb) end as selectors,
  nullif(i.data->'coordinates', 'null'::jsonb) as coordinates,
  coalesce(nullif(i.data->'modifiers', 'null'::jsonb), '{}'::jsonb) as modifiers,
  coalesce(nullif(i.data->'context', 'null'::jsonb), '{}'::jsonb) as context,
  coalesce(nullif(i.data->'elementAnalysis', 'null'::jsonb), '{}'::jsonb) as element_analysis,
  case when i.source = 'batch' then nullif(i.data->'target', 'null'::jsonb)
       else nullif(i.data - ${LEGACY_COLUMN_FIELDS}, '{}'::jsonb) end as target`;

export async function up(db: Kysely<unknown>): Promise<void> {
  // The function first: the old one names the columns about to go.
  await STORE_BATCH_V2.execute(db);
  await sql`alter table interactions
    drop column selectors, drop column coordinates, drop column modifiers,
    drop column context, drop column element_analysis, drop column target`.execute(db);
  await sql`create view interactions_flat as select i.*, ${FLAT_PARTS} from interactions i`.execute(db);
  // Events over ~2 KB (PostgreSQL compresses only rows past that size, whatever toast_tuple_target says:
  // measured) are compressed with lz4 where the server was built with it: cheaper to write and read
  // than the default pglz.
  await sql`do $$ begin
    if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
      alter table interactions alter column data set compression lz4;
    end if;
  end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table interactions alter column data set compression default`.execute(db);
  await sql`drop view interactions_flat`.execute(db);
  await sql`alter table interactions
    add column selectors jsonb, add column coordinates jsonb,
    add column modifiers jsonb not null default '{}'::jsonb, add column context jsonb not null default '{}'::jsonb,
    add column element_analysis jsonb not null default '{}'::jsonb, add column target jsonb`.execute(db);
  await sql`update interactions u set selectors = f.selectors, coordinates = f.coordinates, modifiers = f.modifiers,
    context = f.context, element_analysis = f.element_analysis, target = f.target
    from (select i.id, ${FLAT_PARTS} from interactions i) f where f.id = u.id`.execute(db);
  await CREATE_STORE_BATCH_V1.execute(db);
}
