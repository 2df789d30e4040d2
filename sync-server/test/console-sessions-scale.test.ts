import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { createDatabase, type OpenDatabase } from '../src/db/database';
import { migrateToLatest } from '../src/db/migrate';
import type { Database } from '../src/db/schema';
import { consoleSessionsQuery, ConsoleSessionsQuerySchema } from '../src/routes/console-sessions';
import * as v from 'valibot';

/**
 * The console's session list at a million sessions on PostgreSQL: every filter's plan avoids reading
 * the whole table, and a deep keyset page reads only its own rows. Plans, not timings: the assertions
 * hold on a slow machine as on a fast one.
 */

const SESSIONS = 1_000_000;
/** A crowd: each worker has a thousand sessions, a small share of the table. */
const WORKERS = 1000;
/** One session in this many has narration. */
const NARRATED_EVERY = 50;

let cluster: PostgresCluster;
let open: OpenDatabase;
let db: Kysely<Database>;

/** A node of PostgreSQL's JSON plan. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/** EXPLAIN ANALYZE of the list query for `params` (the route's query string) after `cursor`. */
async function plan(params: Record<string, string>, after?: { createdAt: Date; id: string }) {
  const query = v.parse(ConsoleSessionsQuerySchema, { limit: '50', ...params });
  const compiled = consoleSessionsQuery(db, query, after).compile();
  const result = await db.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({
    ...compiled,
    sql: `explain (analyze, format json) ${compiled.sql}`,
  });
  const root = result.rows[0]!['QUERY PLAN'][0].Plan;
  return { root, all: nodes(root) };
}

const sessionNodes = (all: PlanNode[]) => all.filter((n) => n['Relation Name'] === 'sessions');
/** Rows the plan read from `sessions` (every loop counted). */
const sessionRowsRead = (all: PlanNode[]) =>
  sessionNodes(all).reduce((n, node) => n + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1), 0);

beforeAll(async () => {
  cluster = await startPostgres();
  open = await createDatabase({ databaseUrl: cluster.url, dataDir: cluster.dir, poolSize: 2 });
  db = open.db;
  await migrateToLatest(db);
  await sql`insert into workers (id, name) select 'w' || i, 'Worker ' || i from generate_series(1, ${sql.lit(WORKERS)}) i`.execute(
    db,
  );
  // One session every 30 s for ~a year, over 1000 workers and 1000 hosts; most complete.
  await sql`
    insert into sessions (id, worker_id, status, start_time, hosts, final_count, event_count)
    select 'cs_' || i, 'w' || (1 + i % ${sql.lit(WORKERS)}),
      (array['complete', 'complete', 'complete', 'incomplete', 'abandoned', 'active'])[1 + i % 6],
      timestamptz '2025-01-01' + i * interval '30 seconds',
      jsonb_build_array('h' || (i % 1000) || '.example'), 10, 10
    from generate_series(1, ${sql.lit(SESSIONS)}) i`.execute(db);
  await sql`
    insert into audio_chunks (id, session_id, chunk_index, start_time, duration_ms, mime, blob_key, sha256, bytes)
    select 'a' || i, 'cs_' || i, 0, now(), 1000, 'audio/webm', 'k' || i, 'x', 1
    from generate_series(${sql.lit(NARRATED_EVERY)}, ${sql.lit(SESSIONS)}, ${sql.lit(NARRATED_EVERY)}) i`.execute(db);
  await sql`analyze`.execute(db);
}, 600_000);

afterAll(async () => {
  await open?.close();
  await cluster?.stop();
});

/** The cursor of a page in the middle of the list. */
const middle = { createdAt: new Date(Date.UTC(2025, 0, 1) + (SESSIONS / 2) * 30_000), id: `cs_${SESSIONS / 2}` };

describe(`console session list over ${SESSIONS} sessions`, () => {
  it('a deep page of everyone is a backward range scan of sessions_start_idx reading one page', async () => {
    const { all } = await plan({}, middle);
    expect(all.some((n) => n['Node Type'] === 'Sort')).toBe(false);
    expect(sessionNodes(all).map((n) => n['Index Name'])).toEqual(['sessions_start_idx']);
    expect(sessionRowsRead(all)).toBeLessThanOrEqual(51);
  });

  it("a deep page of one worker's sessions reads one page through sessions_worker_start_idx", async () => {
    const { all } = await plan({ workerId: 'w7' }, middle);
    expect(all.some((n) => n['Node Type'] === 'Sort')).toBe(false);
    expect(sessionNodes(all).map((n) => n['Index Name'])).toEqual(['sessions_worker_start_idx']);
    expect(sessionRowsRead(all)).toBeLessThanOrEqual(51);
  });

  it('a date range reads only that range', async () => {
    const { all } = await plan({ from: '2025-06-01', to: '2025-06-02' });
    expect(all.some((n) => n['Node Type'] === 'Sort')).toBe(false);
    expect(sessionRowsRead(all)).toBeLessThanOrEqual(51);
  });

  it('status, narration and host filters never read the whole table', async () => {
    const cases: Record<string, string>[] = [
      { status: 'incomplete' },
      { status: 'abandoned', workerId: 'w3' },
      { hasNarration: 'true' },
      { host: 'h42.example' },
      { host: 'h42.example', from: '2025-03-01' },
    ];
    for (const params of cases) {
      const { all } = await plan(params, middle);
      const label = JSON.stringify(params);
      expect(
        all.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'sessions'),
        label,
      ).toEqual([]);
      // A selective filter may read more than a page, but never a meaningful part of the table.
      expect(sessionRowsRead(all), label).toBeLessThan(SESSIONS / 20);
    }
  });
});
