import {
  MASK_LOCATIONS,
  MAX_PRIVACY_COUNTS,
  type MaskCountsByLocation,
  type PrivacyCount,
  type PrivacyReport,
} from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import { toJsonb } from '../db/jsonb';
import type { Database } from '../db/schema';

/** What the server masked in one event of a session. */
export interface EventMasks {
  sequence: number;
  counts: MaskCountsByLocation;
}

/**
 * The `sequence` under which the server records what it masked in a session's own fields (a legacy
 * session_start's first URL and metadata): events start at 1. Counted once, for the first start that
 * needed it.
 */
export const SESSION_FIELDS_SEQUENCE = 0;

// Rows per INSERT: far below PostgreSQL's 65535 bind parameters (three per row).
const INSERT_CHUNK = 1000;

/**
 * Records what the server masked in events of `sessionId`, once per event: a row already there (the
 * event was resent) is left as it is. Called after the events are stored, so the session exists and
 * is the caller's; a failure here fails the message, the client resends, and the resend counts.
 */
export async function recordServerMasks(
  db: Kysely<Database>,
  sessionId: string,
  masks: readonly EventMasks[],
): Promise<void> {
  for (let start = 0; start < masks.length; start += INSERT_CHUNK) {
    const chunk = masks.slice(start, start + INSERT_CHUNK);
    await db
      .insertInto('server_masks')
      .values(chunk.map((m) => ({ session_id: sessionId, sequence: m.sequence, counts: toJsonb(m.counts) })))
      .onConflict((oc) => oc.columns(['session_id', 'sequence']).doNothing())
      .execute();
  }
}

/** Locations a client's close reports; values come from the events themselves. */
const CLIENT_REPORTED_LOCATIONS = MASK_LOCATIONS.filter((l) => l !== 'value');

/**
 * `(rule, location, count)` rows of a `{ "<rule>": { "<location>": count } }` jsonb column of the rows
 * `alias` names, read defensively: anything not an object, a location not in `locations` or a count that
 * is not 1-9 digits is skipped. Ends in a `where` clause the caller extends with `and`.
 */
function ruleLocationCounts(alias: string, column: string, locations: readonly string[]) {
  const counts = sql.ref(`${alias}.${column}`);
  return sql`cross join lateral jsonb_each(case when jsonb_typeof(${counts}) = 'object' then ${counts} else '{}' end) r
    cross join lateral jsonb_each_text(case when jsonb_typeof(r.value) = 'object' then r.value else '{}' end) l
    where l.key = any(${[...locations]}::text[]) and l.value ~ '^[0-9]{1,9}$'`;
}

/**
 * The privacy report of one session: the client's masks (the `mask` rule on its value events, and the
 * rest as its `session_close` reported them) and the server's (summed from `server_masks`), by rule and
 * location. Counts only; the caller has checked the session is the requester's to read.
 */
export async function readPrivacyReport(db: Kysely<Database>, sessionId: string): Promise<PrivacyReport> {
  const server = await sql<{ rule: string; location: string; count: number }>`
    select left(r.key, 64) as rule, l.key as location, least(sum((l.value)::bigint), 2147483647)::int as count
    from server_masks m ${ruleLocationCounts('m', 'counts', MASK_LOCATIONS)} and m.session_id = ${sessionId}
    group by 1, 2
    order by 1, 2
    limit ${MAX_PRIVACY_COUNTS}`.execute(db);
  const events = await db
    .selectFrom('server_masks')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('session_id', '=', sessionId)
    .where('sequence', '>', SESSION_FIELDS_SEQUENCE)
    .executeTakeFirstOrThrow();
  // Only value events carry a mask; the type filter keeps the scan to those rows of the session.
  const client = await sql<{ rule: string; count: number }>`
    select left(data->'mask'->>'rule', 64) as rule, least(count(*), 2147483647)::int as count
    from interactions
    where session_id = ${sessionId} and type in ('input', 'change', 'select')
      and jsonb_typeof(data->'mask'->'rule') = 'string' and data->'mask'->>'rule' <> ''
    group by 1
    order by 1
    limit ${MAX_PRIVACY_COUNTS}`.execute(db);
  const serverCounts: PrivacyCount[] = server.rows
    .filter((r) => r.count > 0)
    .map((r) => ({ rule: r.rule, where: r.location as PrivacyCount['where'], count: Number(r.count) }));
  // The rest of what the client masked (text, URLs, titles, attributes), as its session_close said.
  const reported = await sql<{ rule: string; location: string; count: number }>`
    select left(r.key, 64) as rule, l.key as location, least((l.value)::bigint, 2147483647)::int as count
    from sessions s ${ruleLocationCounts('s', 'client_mask_counts', CLIENT_REPORTED_LOCATIONS)} and s.id = ${sessionId}
    order by 1, 2
    limit ${MAX_PRIVACY_COUNTS}`.execute(db);
  const clientCounts: PrivacyCount[] = [
    ...client.rows.map((r) => ({ rule: r.rule, where: 'value' as const, count: Number(r.count) })),
    ...reported.rows
      .filter((r) => r.count > 0)
      .map((r) => ({ rule: r.rule, where: r.location as PrivacyCount['where'], count: Number(r.count) })),
  ].slice(0, MAX_PRIVACY_COUNTS);
  return {
    sessionId,
    client: { total: sum(clientCounts), counts: clientCounts },
    server: { total: sum(serverCounts), events: Math.min(Number(events.n), 2147483647), counts: serverCounts },
  };
}

function sum(counts: readonly PrivacyCount[]): number {
  return Math.min(
    counts.reduce((total, c) => total + c.count, 0),
    2147483647,
  );
}
