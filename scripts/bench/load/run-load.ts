import type pg from 'pg';
import { benchSessionMeta } from '../backlog-store';
import { startBenchServer, type BenchServer } from '../bench-server';
import { seededRandom } from '../seeded-random';
import { generateShoppingSession } from '../shopping-session';
import type { LoadOptions } from './load-options';
import { startServerSampler, type ServerSamples } from './server-sampler';
import { runSimulatedWorker, type ConnectionGauge, type WorkerOutcome, type WorkerPlan } from './simulated-worker';

/** One run: `instances` servers on one PostgreSQL, every worker pushing its session. */
export interface LoadRunResult {
  instances: number;
  workers: number;
  httpWorkers: number;
  eventsPlanned: number;
  /** Acknowledged to the workers (contiguously stored, by their acks). */
  eventsAcked: number;
  workersDone: number;
  /** First connect to the last worker's end. */
  wallMs: number;
  connectionsPeak: number;
  ackMs: number[];
  errors: Map<string, number>;
  samples: ServerSamples;
  /** User + system CPU of all server processes during the run. */
  serverCpuMs: number;
  stored: StoredCheck;
}

/** The exactly-once check, in SQL. */
export interface StoredCheck {
  rows: number;
  /** (session, sequence) pairs held more than once (the unique key forbids it; checked anyway). */
  duplicates: number;
  /** Sessions holding other than exactly sequences 1..n of their worker's n events. */
  sessionsWrong: number;
}

/** Keys and sessions of the simulated workers: made once, used by every run. */
export interface Crowd {
  apiKeys: readonly string[];
}

const ACK_TIMEOUT_MS = 15_000;

/** Each worker's session: realistic events (generated, seeded), its own id per run. */
function planEvents(options: LoadOptions, worker: number, run: string, startTime: number) {
  const sessionId = `load_${run}_${worker}`;
  const captured = generateShoppingSession({
    events: options.eventsPerWorker,
    seed: options.seed * 100_003 + worker,
    startTime,
  });
  const events = captured.map((e, i) => ({ ...e, sessionId, sequence: i + 1 }));
  return { sessionId, events };
}

/**
 * Starts `instances` servers (production rate limits) on the database, lets every worker push its
 * session to one of them (round robin; the first `httpShare` of every ten on HTTP), samples the servers'
 * memory and PostgreSQL's connections meanwhile, and checks in SQL that each session holds its events
 * exactly once.
 */
export async function runLoad(
  options: LoadOptions,
  instances: number,
  crowd: Crowd,
  infra: { databaseUrl: string; admin: pg.Client },
  log: (line: string) => void,
): Promise<LoadRunResult> {
  await infra.admin.query('truncate sessions cascade');
  const servers: BenchServer[] = [];
  try {
    for (let i = 0; i < instances; i++)
      servers.push(
        await startBenchServer(infra.databaseUrl, {
          productionLimits: true,
          ...(options.profileServerDir ? { cpuProfileDir: options.profileServerDir } : {}),
        }),
      );
    const run = Date.now().toString(36);
    const startTime = Date.now() - 60_000;
    const plans: WorkerPlan[] = crowd.apiKeys.map((apiKey, w) => {
      const server = servers[w % servers.length]!;
      const { sessionId, events } = planEvents(options, w, run, startTime);
      return {
        apiKey,
        sessionId,
        events,
        meta: benchSessionMeta(startTime),
        kind: (w % 100) / 100 < options.httpShare ? 'http' : 'ws',
        wsUrl: server.wsUrl,
        baseUrl: server.url,
      };
    });
    const random = seededRandom(options.seed);
    const cpu0 = await Promise.all(servers.map((s) => s.cpuMs()));
    const sampler = startServerSampler(
      servers.map((s) => s.pid),
      infra.admin,
    );
    const gauge: ConnectionGauge = { open: 0, peak: 0 };
    const started = performance.now();
    const deadline = Date.now() + options.runTimeoutMs;
    log(`${instances} instance(s): ${plans.length} workers starting within ${options.rampMs} ms`);
    const progress = setInterval(() => log(`  ${gauge.open} connections open (peak ${gauge.peak})`), 5_000);
    let outcomes: WorkerOutcome[];
    try {
      outcomes = await Promise.all(
        plans.map(
          (plan) =>
            new Promise<WorkerOutcome>((resolve) =>
              setTimeout(
                () =>
                  resolve(
                    runSimulatedWorker(
                      plan,
                      {
                        batchEvents: options.batchEvents,
                        pauseMs: () => random() * 2 * options.pauseMs,
                        deadline,
                        ackTimeoutMs: ACK_TIMEOUT_MS,
                      },
                      gauge,
                    ),
                  ),
                random() * options.rampMs,
              ),
            ),
        ),
      );
    } finally {
      clearInterval(progress);
    }
    const wallMs = performance.now() - started;
    const samples = await sampler.stop();
    const cpu1 = await Promise.all(servers.map((s) => s.cpuMs()));
    const errors = new Map<string, number>();
    for (const o of outcomes) for (const [code, n] of o.errors) errors.set(code, (errors.get(code) ?? 0) + n);
    return {
      instances,
      workers: plans.length,
      httpWorkers: plans.filter((p) => p.kind === 'http').length,
      eventsPlanned: plans.reduce((n, p) => n + p.events.length, 0),
      eventsAcked: outcomes.reduce((n, o) => n + o.ackedThrough, 0),
      workersDone: outcomes.filter((o) => o.done).length,
      wallMs,
      connectionsPeak: gauge.peak,
      ackMs: outcomes.flatMap((o) => o.ackMs),
      errors,
      samples,
      serverCpuMs: cpu1.reduce((n, c, i) => n + c - cpu0[i]!, 0),
      stored: await checkStored(
        infra.admin,
        plans.map((p) => ({ id: p.sessionId, events: p.events.length })),
      ),
    };
  } finally {
    await Promise.allSettled(servers.map((s) => s.stop()));
  }
}

async function checkStored(admin: pg.Client, sessions: { id: string; events: number }[]): Promise<StoredCheck> {
  const ids = sessions.map((s) => s.id);
  const { rows } = await admin.query<{ session_id: string; n: number; distinct_n: number; lo: number; hi: number }>(
    `select session_id, count(*)::int as n, count(distinct sequence)::int as distinct_n,
       min(sequence) as lo, max(sequence) as hi
     from interactions where session_id = any($1) group by session_id`,
    [ids],
  );
  const bySession = new Map(rows.map((r) => [r.session_id, r]));
  let duplicates = 0;
  let sessionsWrong = 0;
  let total = 0;
  for (const s of sessions) {
    const r = bySession.get(s.id);
    total += r?.n ?? 0;
    duplicates += r ? r.n - r.distinct_n : 0;
    if (!r || r.n !== s.events || r.distinct_n !== s.events || r.lo !== 1 || r.hi !== s.events) sessionsWrong++;
  }
  return { rows: total, duplicates, sessionsWrong };
}
