/**
 * `npx tsx scripts/bench/postgres-share.ts [--events N] [--rounds N]`: PostgreSQL's CPU per stored event
 * on the server's COPY path against a raw COPY of the same rows (issue 12). Where server instances run on
 * cores of their own, PostgreSQL is the one shared resource and its CPU per event bounds ingest; on one
 * small box the server's CPU competes with it as well (the sync bench measures that).
 *
 * Each round stores a realistic backlog (10 sessions, batches cut as the engine cuts them) twice, on
 * emptied tables: once as one COPY of the rows `mapEventToRow` makes (encoded beforehand), once with
 * `storeBatchByCopy` batch after batch, round-robin over the sessions (lock, stored-sequence check, COPY,
 * summary, commit). The two alternate so that a noisy neighbour hits both; the median round is the result.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { from as copyFrom } from 'pg-copy-streams';
import { COPY_INTERACTIONS_STATEMENT } from '../../sync-server/src/db/copy-text';
import { mapEventToRow } from '../../sync-server/src/ingest/event-row';
import { storeBatchByCopy } from '../../sync-server/src/ingest/store-batch-copy';
import { benchSessionMeta } from './backlog-store';
import { DEV_WORKER_ID } from '../../sync-server/src/auth/api-keys';
import { startBenchCluster } from './bench-cluster';
import { runBenchCommand } from './bench-command';
import { positiveInt } from './bench-options';
import { encodeCopyChunks } from './copy-baseline';
import { asRecorded, engineBatches } from './engine-batches';
import { generateShoppingSession } from './shopping-session';

interface Options {
  events: number;
  rounds: number;
  deadlineMs: number;
}

const USAGE = `Usage: npx tsx scripts/bench/postgres-share.ts [--events N] [--rounds N]

  --events N   events per stored backlog, over 10 sessions (default 50000)
  --rounds N   rounds, each storing the backlog both ways (default 5)`;

const SESSIONS = 10;

function parse(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: { events: { type: 'string' }, rounds: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) return 'help';
  return {
    events: values.events === undefined ? 50_000 : positiveInt('events', values.events, SESSIONS * 10),
    rounds: values.rounds === undefined ? 5 : positiveInt('rounds', values.rounds),
    deadlineMs: 10 * 60_000,
  };
}

runBenchCommand({
  parse,
  usage: USAGE,
  async run(options, { log, onCleanUp, cleanUp }) {
    const { open, client, cpuMs } = await startBenchCluster({ log, onCleanUp });
    const copyTransaction = open.copyTransaction;
    if (!copyTransaction) throw new Error('a PostgreSQL database offers COPY transactions');

    log(`generating ${options.events} realistic events in ${SESSIONS} sessions`);
    const sessions = Array.from({ length: SESSIONS }, (_, i) => {
      const id = `cs_share_${i}`;
      const events = generateShoppingSession({
        events: Math.floor(options.events / SESSIONS),
        seed: 1000 + i,
        startTime: 1_752_327_000_000 + i * 3_600_000,
      });
      return { id, batches: engineBatches(id, benchSessionMeta(events[0]!.timestamp), asRecorded(id, events)) };
    });
    const events = sessions.reduce((n, s) => n + s.batches.reduce((m, b) => m + b.events.length, 0), 0);
    const batches = sessions.reduce((n, s) => n + s.batches.length, 0);
    const chunks = encodeCopyChunks(
      sessions.flatMap((s) => s.batches.flatMap((b) => b.events.map((e) => mapEventToRow(s.id, e)))),
    );
    const fresh = async () => {
      await client.query('truncate sessions cascade');
      for (const s of sessions)
        await client.query(`insert into sessions (id, worker_id, start_time) values ($1, $2, now())`, [
          s.id,
          DEV_WORKER_ID,
        ]);
      await client.query('checkpoint');
    };
    const stored = async () =>
      Number((await client.query<{ n: string }>('select count(*) as n from interactions')).rows[0]?.n);

    const rows: { copy: number; path: number }[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      await fresh();
      let before = await cpuMs();
      await pipeline(Readable.from(chunks), client.query(copyFrom(COPY_INTERACTIONS_STATEMENT)));
      const copy = ((await cpuMs()) - before) / events;
      if ((await stored()) !== events) throw new Error('the COPY baseline did not store every row');

      await fresh();
      before = await cpuMs();
      const longest = Math.max(...sessions.map((s) => s.batches.length));
      for (let i = 0; i < longest; i++)
        for (const s of sessions) {
          const batch = s.batches[i];
          if (batch && !(await storeBatchByCopy(copyTransaction, DEV_WORKER_ID, batch)))
            throw new Error(`storeBatchByCopy refused ${s.id}`);
        }
      const path = ((await cpuMs()) - before) / events;
      if ((await stored()) !== events) throw new Error('the COPY path did not store every row exactly once');
      rows.push({ copy: copy * 1000, path: path * 1000 });
      log(
        `round ${round} of ${options.rounds}: COPY ${(copy * 1000).toFixed(1)} µs, COPY path ${(path * 1000).toFixed(1)} µs per event`,
      );
    }
    await cleanUp();

    const ratio = (r: { copy: number; path: number }) => r.copy / r.path;
    const median = [...rows].sort((a, b) => ratio(a) - ratio(b))[Math.floor(rows.length / 2)]!;
    const lines = [
      `# PostgreSQL CPU per stored event: the server's COPY path against raw COPY (${events} events in ${batches} batches, ${options.rounds} rounds)`,
      '',
      '| round | raw COPY µs/event | COPY path µs/event | COPY / path |',
      '| ---: | ---: | ---: | ---: |',
      ...rows.map((r, i) => `| ${i + 1} | ${r.copy.toFixed(1)} | ${r.path.toFixed(1)} | ${ratio(r).toFixed(2)}× |`),
      `| median | ${median.copy.toFixed(1)} | ${median.path.toFixed(1)} | **${ratio(median).toFixed(2)}×** |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
