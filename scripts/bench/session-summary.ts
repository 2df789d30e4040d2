/**
 * `npx tsx scripts/bench/session-summary.ts [--calls N] [--rounds N]`: PostgreSQL CPU of one session
 * summary update per sync batch (issue 12), the two ways the server can call it, alternated in the same
 * run on a throwaway cluster:
 * - per-event arrays: `record_stored_events`, one sequence, type and URL per stored event (what
 *   `store_batch_events` passes, and what the COPY path passed before migration `2026-12-03T1200`);
 * - aggregates: `record_batch_summary`, the count, the counts by type and the distinct URLs (what the
 *   COPY path passes now).
 * Each call runs in its own transaction on batches of a realistic generated session cut as the engine
 * cuts them (~336 events); an empty transaction (`select 1`) is the floor. Prints ms per call.
 */
import { parseArgs } from 'node:util';
import { MAX_SESSION_HOSTS, MAX_SESSION_URLS } from '../../sync-server/src/ingest/limits';
import { hostsByUrl } from '../../sync-server/src/ingest/store-batch-call';
import { benchSessionMeta } from './backlog-store';
import { DEV_WORKER_ID } from '../../sync-server/src/auth/api-keys';
import { startBenchCluster } from './bench-cluster';
import { runBenchCommand } from './bench-command';
import { positiveInt } from './bench-options';
import { asRecorded, engineBatches } from './engine-batches';
import { generateShoppingSession } from './shopping-session';

interface Options {
  calls: number;
  rounds: number;
  deadlineMs: number;
}

const USAGE = `Usage: npx tsx scripts/bench/session-summary.ts [--calls N] [--rounds N]

  --calls N    summary calls per way and round (default 300)
  --rounds N   rounds, each way once per round in turn (default 3)`;

function parse(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: { calls: { type: 'string' }, rounds: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) return 'help';
  return {
    calls: values.calls === undefined ? 300 : positiveInt('calls', values.calls),
    rounds: values.rounds === undefined ? 3 : positiveInt('rounds', values.rounds),
    deadlineMs: 5 * 60_000,
  };
}

const SESSION = 'cs_summary_bench';
const LIMITS = [MAX_SESSION_URLS, MAX_SESSION_HOSTS];

runBenchCommand({
  parse,
  usage: USAGE,
  async run(options, { log, onCleanUp, cleanUp }) {
    const { client, cpuMs } = await startBenchCluster({ log, onCleanUp });

    const events = generateShoppingSession({ events: 10_000, seed: 1000, startTime: 1_752_327_000_000 });
    const batches = engineBatches(SESSION, benchSessionMeta(events[0]!.timestamp), asRecorded(SESSION, events));
    const meanEvents = events.length / batches.length;
    const ways: Record<string, (i: number) => [string, unknown[]]> = {
      'per-event arrays (record_stored_events)': (i) => {
        const b = batches[i % batches.length]!;
        return [
          `select * from record_stored_events($1, $2::int[], $3::text[], $4::text[], $5::jsonb, null, null, null, $6, $7)`,
          [
            SESSION,
            b.events.map((e) => e.sequence),
            b.events.map((e) => e.type),
            b.events.map((e) => e.url ?? null),
            JSON.stringify(hostsByUrl(b)),
            ...LIMITS,
          ],
        ];
      },
      'aggregates (record_batch_summary)': (i) => {
        const b = batches[i % batches.length]!;
        const counts: Record<string, number> = {};
        for (const e of b.events) counts[e.type] = (counts[e.type] ?? 0) + 1;
        const urls = [...new Set(b.events.map((e) => e.url).filter((u) => !!u))];
        return [
          `select * from record_batch_summary($1, $2::int, $3::jsonb, $4::text[], $5::jsonb, null, null, null, $6, $7)`,
          [SESSION, b.events.length, JSON.stringify(counts), urls, JSON.stringify(hostsByUrl(b)), ...LIMITS],
        ];
      },
      'empty transaction (select 1)': () => ['select 1', []],
    };

    const samples = new Map<string, number[]>(Object.keys(ways).map((name) => [name, []]));
    for (let round = 1; round <= options.rounds; round++) {
      for (const [name, make] of Object.entries(ways)) {
        // The same starting point for every way: a fresh session row, its URL list growing as batches come.
        await client.query('truncate sessions cascade');
        await client.query(`insert into sessions (id, worker_id, start_time) values ($1, $2, now())`, [
          SESSION,
          DEV_WORKER_ID,
        ]);
        const before = await cpuMs();
        for (let i = 0; i < options.calls; i++) {
          const [query, args] = make(i);
          await client.query('begin');
          await client.query(query, args);
          await client.query('commit');
        }
        samples.get(name)!.push(((await cpuMs()) - before) / options.calls);
      }
      log(`round ${round} of ${options.rounds} done`);
    }
    await cleanUp();

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const lines = [
      `# Session summary per batch — PostgreSQL CPU per call (${options.calls} calls × ${options.rounds} rounds, batches of ~${Math.round(meanEvents)} events)`,
      '',
      '| way | median ms/call | per stored event µs | rounds (ms/call) |',
      '| --- | ---: | ---: | --- |',
      ...[...samples].map(
        ([name, xs]) =>
          `| ${name} | ${median(xs).toFixed(3)} | ${((median(xs) * 1000) / meanEvents).toFixed(2)} | ${xs.map((x) => x.toFixed(3)).join(', ')} |`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
