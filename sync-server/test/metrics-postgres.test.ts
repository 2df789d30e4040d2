import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../scripts/lib/postgres-cluster';
import { signAdminToken } from '../src/auth/admin-token';
import { createDatabase, type OpenDatabase } from '../src/db/database';
import { toJsonb } from '../src/db/jsonb';
import { startServer, type RunningServer } from '../src/main';
import { CompiledQuery, sql } from 'kysely';
import { JOB_DEPTH_CACHE_MS, liveJobsQuery, oldestDueQuery } from '../src/metrics/job-depth';
import { parseExposition } from '../src/metrics/testing/parse-exposition';
import { testSettings } from '../src/testing/test-settings';
import { DEV_KEY } from './testing/dev-server';
import { connectAuthenticated, type TestSocket } from './testing/ws-client';

/**
 * /metrics of a listening server on real PostgreSQL: a batch ingested over the socket moves the event,
 * byte and ack-latency series, the sockets are told apart by protocol, the pool is the pg pool's, and
 * the job queue's depth is read from the database.
 */

let pg: PostgresCluster;
let dir: string;
let server: RunningServer;
let check: OpenDatabase;
const sockets: TestSocket[] = [];
/** Added to the server's clock: moving it past the job depth's cache instead of waiting it out. */
let skewMs = 0;
const clock: Clock = { ...systemClock, now: () => Date.now() + skewMs };

beforeAll(async () => {
  pg = await startPostgres();
  dir = await mkdtemp(join(tmpdir(), 'metrics-pg-'));
  // No job runner: the queued jobs below must stay queued while the test reads the depth.
  server = await startServer(testSettings({ databaseUrl: pg.url, dataDir: dir, port: 0, jobsConcurrency: 0 }), {
    clock,
  });
  check = await createDatabase({ databaseUrl: pg.url, dataDir: dir, poolSize: 1 });
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.allSettled([server?.close(), check?.close()]);
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function scrape() {
  const token = await signAdminToken(testSettings().jwtSecret, 'metrics-test', '5m');
  const res = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

describe('/metrics on PostgreSQL', () => {
  it('sees a socket batch, both socket protocols, the pg pool and the job queue', async () => {
    const before = await scrape();
    expect(before.value('codesight_ingest_events_total')).toBe(0);
    expect(before.value('codesight_db_pool_max')).toBe(10);

    const ws = `${server.url.replace('http', 'ws')}/ws`;
    const sync = await connectAuthenticated(ws, { apiKey: DEV_KEY });
    const legacy = await connectAuthenticated(ws, { apiKey: DEV_KEY });
    const idle = await connectAuthenticated(ws, { apiKey: DEV_KEY });
    sockets.push(sync, legacy, idle);

    const events = sampleRecordedEvents('cs_metrics_pg', 12);
    const frame = JSON.stringify({
      type: 'batch',
      v: 1,
      batchId: 'b1',
      sessionId: 'cs_metrics_pg',
      session: {
        startTime: events[0]!.timestamp,
        userAgent: 'Chrome/156',
        extensionVersion: '0.1.0',
        maskingPolicy: { version: '1', rules: [] },
      },
      firstSequence: 1,
      lastSequence: 12,
      events,
    });
    sync.send(frame);
    expect(await sync.next()).toMatchObject({ type: 'batch_ack', inserted: 12 });
    legacy.send({
      type: 'session_start',
      sessionId: 'cs_metrics_pg_legacy',
      startTime: Date.now(),
      url: 'https://shop.example/',
      userAgent: 'Mozilla/5.0 Chrome/120',
    });
    expect(await legacy.next()).toMatchObject({ type: 'ack', for: 'session_start' });

    const now = Date.now();
    await check.db
      .insertInto('jobs')
      .values(
        [0, 1].map((i) => ({
          id: `00000000-0000-4000-8000-00000000001${i}`,
          kind: 'session-archive',
          payload: toJsonb({ i }),
          state: 'queued' as const,
          max_attempts: 3,
          run_at: new Date(now - 120_000),
          created_at: new Date(now - 120_000),
          updated_at: new Date(now - 120_000),
        })),
      )
      .execute();

    const after = await scrape();
    // Stored events: the batch's 12 (the legacy session_start stores a session, not events).
    expect(after.value('codesight_ingest_events_total')).toBe(12);
    // The sockets' `authenticate` frames are not ingest; the batch frame and the session_start are.
    expect(after.value('codesight_ingest_bytes_total', { transport: 'ws' })).toBeGreaterThanOrEqual(frame.length);
    expect(after.value('codesight_batch_ack_seconds_count', { transport: 'ws' })).toBe(1);
    expect(after.value('codesight_batch_ack_seconds_sum', { transport: 'ws' })).toBeGreaterThan(0);
    const buckets = after.find('codesight_batch_ack_seconds_bucket', { transport: 'ws' });
    expect(buckets.at(-1)).toMatchObject({ labels: { le: '+Inf' }, value: 1 });
    // Cumulative buckets never decrease.
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));

    expect(after.value('codesight_open_connections', { protocol: 'ws_sync' })).toBe(1);
    expect(after.value('codesight_open_connections', { protocol: 'ws_legacy' })).toBe(1);
    expect(after.value('codesight_open_connections', { protocol: 'ws_pending' })).toBe(1);

    const inUse = after.value('codesight_db_pool_clients', { state: 'in_use' });
    const idleClients = after.value('codesight_db_pool_clients', { state: 'idle' });
    expect(inUse + idleClients).toBeGreaterThan(0);
    expect(inUse + idleClients).toBeLessThanOrEqual(10);
    expect(after.value('codesight_db_pool_clients', { state: 'waiting' })).toBe(0);

    // Read at most every 5 s (JOB_DEPTH_CACHE_MS): the first scrape's empty queue is still cached.
    expect(after.find('codesight_jobs')).toEqual([]);
    skewMs = JOB_DEPTH_CACHE_MS;
    const jobs = await scrape();
    expect(jobs.value('codesight_jobs', { state: 'queued', kind: 'session-archive' })).toBe(2);
    expect(jobs.value('codesight_jobs_oldest_due_age_seconds')).toBeGreaterThanOrEqual(120);
  });

  it('reads the job depth through indexes, not the table, among 100k finished jobs (EXPLAIN, not timings)', async () => {
    await sql`insert into jobs (id, kind, payload, state, max_attempts, run_at, created_at, updated_at)
      select gen_random_uuid(), 'session-archive', '{}'::jsonb, 'succeeded', 3, now(), now(), now()
      from generate_series(1, 100000)`.execute(check.db);
    await sql`analyze jobs`.execute(check.db);
    const planOf = async (query: { compile(): CompiledQuery }) => {
      const compiled = query.compile();
      const result = await check.db.executeQuery<{ 'QUERY PLAN': string }>(
        CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
      );
      return result.rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    for (const plan of [await planOf(liveJobsQuery(check.db)), await planOf(oldestDueQuery(check.db, Date.now()))]) {
      expect(plan).toMatch(/Index (Only )?Scan using jobs_\w+ on jobs/);
      expect(plan).not.toContain('Seq Scan');
    }
  });
});
