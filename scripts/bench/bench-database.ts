import type pg from 'pg';

/** What the database holds for a set of sessions after a drain, checked with plain SQL. */
export interface IngestCheck {
  /** count(*) of interactions rows of the sessions. */
  rows: number;
  /** (session_id, sequence) pairs stored more than once. */
  duplicates: number;
  /** Sessions not `complete`, or whose acked_through / event_count differ from what was written. */
  sessionsWrong: number;
  /** What `interactions` takes on disk right after the drain (the table holds only this run's rows). */
  storage: TableStorage;
}

/** A table's bytes on disk: heap, indexes and TOAST (pg_relation_size and friends). */
export interface TableStorage {
  heap: number;
  indexes: number;
  toast: number;
  rows: number;
}

/** True when the database holds exactly what a drain wrote: every row once, every session complete. */
export function storedExactly(run: { check: IngestCheck; result: { events: number } }): boolean {
  return run.check.rows === run.result.events && run.check.duplicates === 0 && run.check.sessionsWrong === 0;
}

/** Counts the rows stored for `sessions` and checks each session row against what was written. */
export async function checkIngest(
  client: pg.Client,
  sessions: readonly { id: string; events: number }[],
): Promise<IngestCheck> {
  const ids = sessions.map((s) => s.id);
  const rows = await client.query<{ n: number }>(
    'select count(*)::int as n from interactions where session_id = any($1)',
    [ids],
  );
  const duplicates = await client.query<{ n: number }>(
    `select count(*)::int as n from (
       select session_id, sequence from interactions where session_id = any($1)
       group by session_id, sequence having count(*) > 1) d`,
    [ids],
  );
  const stored = await client.query<{ id: string; status: string; acked_through: number; event_count: number }>(
    'select id, status, acked_through, event_count from sessions where id = any($1)',
    [ids],
  );
  const byId = new Map(stored.rows.map((r) => [r.id, r]));
  const sessionsWrong = sessions.filter((s) => {
    const row = byId.get(s.id);
    return !row || row.status !== 'complete' || row.acked_through !== s.events || row.event_count !== s.events;
  }).length;
  return {
    rows: rows.rows[0]?.n ?? 0,
    duplicates: duplicates.rows[0]?.n ?? 0,
    sessionsWrong,
    storage: await interactionsStorage(client),
  };
}

/** Bytes of `interactions` by part; the free-space and visibility maps count with the heap. */
export async function interactionsStorage(client: pg.Client): Promise<TableStorage> {
  const { rows } = await client.query<{ heap: string; indexes: string; toast: string; rows: number }>(
    `select pg_table_size('interactions') - coalesce(pg_total_relation_size(reltoastrelid), 0) as heap,
       pg_indexes_size('interactions') as indexes,
       coalesce(pg_total_relation_size(reltoastrelid), 0) as toast,
       (select count(*)::int from interactions) as rows
     from pg_class where oid = 'interactions'::regclass`,
  );
  const row = rows[0]!;
  return { heap: Number(row.heap), indexes: Number(row.indexes), toast: Number(row.toast), rows: row.rows };
}

/**
 * Empties every session and event between runs (interactions and media rows go with their sessions by
 * cascade), so each run inserts into tables of the same size. Workers and API keys stay.
 */
export async function resetSessions(client: pg.Client): Promise<void> {
  await client.query('truncate sessions cascade');
}

/** Empties interactions only, keeping session rows (their foreign key target) for the COPY baseline. */
export async function resetInteractions(client: pg.Client): Promise<void> {
  await client.query('truncate interactions');
}
