import { loadavg } from 'node:os';
import { SYNC_PROTOCOL_VERSION, type BatchMessage, type CapturedEvent, type RecordedEvent } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { DEFAULT_BATCH_LIMITS, DEFAULT_WINDOW, type BatchLimits } from '../../extension/sync/index';
import { DEV_API_KEY, DEV_WORKER_ID } from '../../sync-server/src/auth/api-keys';
import type { Database, NewInteraction } from '../../sync-server/src/db/schema';
import { mapEventToRow } from '../../sync-server/src/ingest/event-row';
import { measureAckLatency, percentile } from './ack-latency';
import { benchSessionMeta, writeBacklog, type BacklogSession } from './backlog-store';
import { checkIngest, resetInteractions, resetSessions, storedExactly, type IngestCheck } from './bench-database';
import type { BenchOptions } from './bench-options';
import type { BenchServer } from './bench-server';
import { measureCompression, type CompressionResult } from './compression';
import { copyIntoInteractions, encodeCopyChunks } from './copy-baseline';
import { ownCpuMs, postgresCpuMs } from './cpu-usage';
import { asRecorded, engineBatches } from './engine-batches';
import { drainWithEngine, type DrainResult } from './engine-drain';
import { ingestFromWire, type WireIngestResult } from './wire-ingest';
import { seededRandom } from './seeded-random';
import { generateShoppingSession } from './shopping-session';
import { measureStageCosts, measureStoreLatency, type StageCosts } from './stage-costs';

/** What the bench runs against: all started (and later stopped) by sync.ts. */
export interface BenchInfra {
  databaseUrl: string;
  /** Data directory of the cluster, for reading PostgreSQL's CPU time. */
  pgDataDir: string;
  server: BenchServer;
  /** A plain connection for resets and checks. */
  admin: pg.Client;
  /** The server's own Kysely database layer, opened by the bench, for the stage costs. */
  db: Kysely<Database>;
}

/** One engine drain of an offline backlog, checked in the database afterwards. */
export interface DrainRun {
  window: number;
  limits: BatchLimits;
  sessions: number;
  result: DrainResult;
  check: IngestCheck;
  /** CPU time spent during the drain, ms: the engine's process, the server's, PostgreSQL's. */
  cpu: { client: number; server: number; postgres: number | undefined };
}

/** One wire ingest run, checked in the database afterwards. */
export interface WireRun {
  result: WireIngestResult;
  check: IngestCheck;
  /** CPU time during the run, ms: the server's process and PostgreSQL's. */
  cpu: { server: number; postgres: number | undefined };
}

/** Summary of round-trip samples, ms. */
export interface LatencyStats {
  p50: number;
  p99: number;
  mean: number;
  max: number;
  count: number;
}

/** Everything one bench run measured. */
export interface BenchResults {
  options: BenchOptions;
  /** 1-minute load average when the bench started. */
  loadAtStart: number;
  drain: DrainRun;
  /** The same backlog as pre-encoded frames on a bare socket: the server's ingest without the engine. */
  wire: WireRun;
  copy: {
    rows: number;
    ms: number;
    pgCpuMs: number | undefined;
    mapMs: number;
    encodeMs: number;
    copyBytes: number;
    storedRows: number;
  };
  compression: { events: number; defaults: CompressionResult; sizes: CompressionResult[]; fixture: CompressionResult };
  latency: {
    /** The metric: batch → batch_ack over the WebSocket. */
    batches: LatencyStats;
    /** resume of no session: the socket and server without the database. */
    floor: LatencyStats;
    /** resume of one session: one query. */
    oneQuery: LatencyStats;
    /** storeBatch alone on batches of the same sizes. */
    store: LatencyStats;
    events: number;
  };
  windowSweep: DrainRun[];
  batchSweep: DrainRun[];
  stages: StageCosts | undefined;
}

/** Progress lines go to stderr so that stdout holds only the report. */
export type Log = (line: string) => void;

/** Batches in the latency run sent before timing starts (socket, JIT and plan cache warm-up). */
const LATENCY_WARMUP = 50;
/** Latency batches carry 1..10 events, like a live session sending as it records. */
const LATENCY_MAX_EVENTS = 10;
/** A lost ack (which would be a bug) fails the latency run instead of hanging it. */
const LATENCY_ACK_TIMEOUT_MS = 10_000;
/** The sweep's batch-size runs lift the byte cap so that the event count alone decides the size. */
const UNCAPPED_BYTES = 64 * 1024 * 1024;

/** Splits `total` events over `sessions` sessions, earlier sessions taking the remainder. */
function split(total: number, sessions: number): number[] {
  return Array.from({ length: sessions }, (_, i) => Math.floor(total / sessions) + (i < total % sessions ? 1 : 0));
}

/** Generous bound for one drain: 30 s plus 1 ms per event (100k: 130 s, ten times the goal). */
const drainTimeout = (events: number) => 30_000 + events;

/** Writes `sessions` as an offline backlog, drains it with the engine, and checks the database. */
async function drainRun(
  infra: BenchInfra,
  sessions: readonly (readonly CapturedEvent[])[],
  random: () => number,
  window: number,
  limits: BatchLimits,
): Promise<DrainRun & { written: BacklogSession[]; store: ReturnType<typeof writeBacklog>['store'] }> {
  await resetSessions(infra.admin);
  const { store, sessions: written } = writeBacklog(sessions, random);
  const events = written.reduce((sum, s) => sum + s.events, 0);
  const client0 = ownCpuMs();
  const server0 = await infra.server.cpuMs();
  const pg0 = await postgresCpuMs(infra.pgDataDir);
  const result = await drainWithEngine({
    wsUrl: infra.server.wsUrl,
    apiKey: DEV_API_KEY,
    store,
    window,
    batchLimits: limits,
    timeoutMs: drainTimeout(events),
  });
  const cpu = {
    client: ownCpuMs() - client0,
    server: (await infra.server.cpuMs()) - server0,
    postgres: await postgresCpuMs(infra.pgDataDir).then((after) =>
      after === undefined || pg0 === undefined ? undefined : after - pg0,
    ),
  };
  const check = await checkIngest(infra.admin, written);
  return { window, limits, sessions: written.length, result, check, cpu, written, store };
}

/** The drained backlog read back from the engine's store: what the COPY baseline and the wire run send. */
async function readWritten(run: Awaited<ReturnType<typeof drainRun>>): Promise<RecordedSession[]> {
  const recorded: RecordedSession[] = [];
  for (const s of run.written)
    recorded.push({ id: s.id, events: await run.store.readEvents(s.id, 1, s.events, s.events) });
  return recorded;
}

interface RecordedSession {
  id: string;
  events: RecordedEvent[];
}

/**
 * The backlog mapped to `interactions` rows by the server's own mapping, with the time the mapping
 * took: the COPY baseline inserts exactly these rows.
 */
function mapRows(recorded: readonly RecordedSession[]): { rows: NewInteraction[]; mapMs: number } {
  const started = performance.now();
  const rows = recorded.flatMap((s) => s.events.map((e) => mapEventToRow(s.id, e)));
  return { rows, mapMs: performance.now() - started };
}

/**
 * The backlog again, as the engine's batches pre-encoded into frames, through a bare socket (see
 * wire-ingest.ts), on emptied tables; CPU of the server and PostgreSQL during it, and the check.
 */
async function wireRun(infra: BenchInfra, recorded: readonly RecordedSession[]): Promise<WireRun> {
  await resetSessions(infra.admin);
  const sessions = recorded.map((s) => ({
    sessionId: s.id,
    batches: engineBatches(s.id, benchSessionMeta(s.events[0]?.timestamp ?? 0), s.events),
    endTime: (s.events.at(-1)?.timestamp ?? 0) + 1000,
  }));
  const events = recorded.reduce((sum, s) => sum + s.events.length, 0);
  const server0 = await infra.server.cpuMs();
  const pg0 = await postgresCpuMs(infra.pgDataDir);
  const result = await ingestFromWire({
    wsUrl: infra.server.wsUrl,
    apiKey: DEV_API_KEY,
    sessions,
    window: DEFAULT_WINDOW,
    timeoutMs: drainTimeout(events),
  });
  const cpu = {
    server: (await infra.server.cpuMs()) - server0,
    postgres: await postgresCpuMs(infra.pgDataDir).then((after) =>
      after === undefined || pg0 === undefined ? undefined : after - pg0,
    ),
  };
  const check = await checkIngest(
    infra.admin,
    recorded.map((s) => ({ id: s.id, events: s.events.length })),
  );
  return { result, check, cpu };
}

/** A drain run without the backlog it drained (kept only as long as needed). */
function strip({ written: _written, store: _store, ...run }: Awaited<ReturnType<typeof drainRun>>): DrainRun {
  return run;
}

/** Runs every measurement in turn; see README.md for what each one means. */
export async function runBench(options: BenchOptions, infra: BenchInfra, log: Log): Promise<BenchResults> {
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const random = seededRandom(options.seed);
  log(`generating ${options.events} realistic events in ${options.sessions} sessions`);
  const sessionEvents = split(options.events, options.sessions).map((count, i) =>
    generateShoppingSession({
      events: count,
      seed: options.seed * 1000 + i,
      startTime: 1_752_327_000_000 + i * 3_600_000,
    }),
  );

  // 1–3, 6: the offline backlog drained by the engine, then the same rows by COPY.
  log(
    `draining a ${options.events}-event offline backlog with the engine (window ${DEFAULT_WINDOW}, ${DEFAULT_BATCH_LIMITS.maxEvents} events / ${DEFAULT_BATCH_LIMITS.maxBytes / 1024} KiB)`,
  );
  const main = await drainRun(infra, sessionEvents, random, DEFAULT_WINDOW, DEFAULT_BATCH_LIMITS);
  log(
    `  drained in ${Math.round(main.result.closedMs)} ms; ${main.check.rows} rows stored, ${main.check.duplicates} duplicates`,
  );

  const recorded = await readWritten(main);
  log(
    `server ingest from the wire: the same backlog as pre-encoded frames on one socket (window ${DEFAULT_WINDOW}), no engine`,
  );
  const wire = await wireRun(infra, recorded);
  log(`  stored in ${Math.round(wire.result.ms)} ms; ${wire.check.rows} rows, ${wire.check.duplicates} duplicates`);

  log('COPY baseline: the same rows, mapped by mapEventToRow, into interactions over one connection');
  const { rows, mapMs } = mapRows(recorded);
  const started = performance.now();
  const chunks = encodeCopyChunks(rows);
  const encodeMs = performance.now() - started;
  // The session rows the wire run stored stay (the foreign key's target); its events go.
  await resetInteractions(infra.admin);
  const { ms: copyMs, pgCpuMs: copyPgCpuMs } = await copyIntoInteractions(infra.databaseUrl, chunks, () =>
    postgresCpuMs(infra.pgDataDir),
  );
  const storedRows = (await checkIngest(infra.admin, main.written)).rows;
  const copy = {
    rows: rows.length,
    ms: copyMs,
    pgCpuMs: copyPgCpuMs,
    mapMs,
    encodeMs,
    copyBytes: chunks.reduce((sum, c) => sum + Buffer.byteLength(c), 0),
    storedRows,
  };
  log(`  COPY of ${rows.length} rows in ${Math.round(copyMs)} ms`);

  // 5: ack latency of small batches, one at a time, and what it is made of.
  log(
    `ack latency: ${options.latencyBatches} batches of 1–${LATENCY_MAX_EVENTS} events, one at a time; then database-free and one-query round trips`,
  );
  await resetSessions(infra.admin);
  const latencyEvents = generateShoppingSession({
    events: LATENCY_MAX_EVENTS * (options.latencyBatches + LATENCY_WARMUP),
    seed: options.seed * 1000 + 999,
  });
  const latencySession = `cs_latency_${options.seed}`;
  const latencyMeta = benchSessionMeta(latencyEvents[0]!.timestamp);
  const measured = await measureAckLatency({
    wsUrl: infra.server.wsUrl,
    apiKey: DEV_API_KEY,
    sessionId: latencySession,
    meta: latencyMeta,
    events: asRecorded(latencySession, latencyEvents),
    batches: options.latencyBatches,
    warmup: LATENCY_WARMUP,
    maxEventsPerBatch: LATENCY_MAX_EVENTS,
    random,
    timeoutMs: LATENCY_ACK_TIMEOUT_MS,
  });
  log('store latency: the same kind of small batches through storeBatch alone');
  const directSession = `cs_direct_${options.seed}`;
  const directEvents = asRecorded(directSession, latencyEvents.slice(0, measured.eventsSent));
  const directBatches: BatchMessage[] = [];
  for (let first = 1; first <= directEvents.length;) {
    const count = Math.min(1 + Math.floor(random() * LATENCY_MAX_EVENTS), directEvents.length - first + 1);
    directBatches.push({
      type: 'batch',
      v: SYNC_PROTOCOL_VERSION,
      batchId: `direct-${first}`,
      sessionId: directSession,
      session: latencyMeta,
      firstSequence: first,
      lastSequence: first + count - 1,
      events: directEvents.slice(first - 1, first - 1 + count),
    });
    first += count;
  }
  const direct = (await measureStoreLatency(infra.db, DEV_WORKER_ID, directBatches)).slice(LATENCY_WARMUP);
  const stats = (samples: number[]) => ({
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    max: Math.max(...samples),
    count: samples.length,
  });

  // 7: sweeps over the window and the batch size, on a smaller backlog each.
  const windowSweep: DrainRun[] = [];
  const batchSweep: DrainRun[] = [];
  let sweepSessions: CapturedEvent[][] = [];
  if (options.sweepEvents > 0) {
    const perSession = split(options.sweepEvents, options.sessions);
    sweepSessions = sessionEvents.map((events, i) => events.slice(0, perSession[i]));
    // The fastest of the repeats stands for the point: slow runs are the ones a checkpoint or autovacuum hit.
    const fastest = async (window: number, limits: BatchLimits) => {
      let top: DrainRun | undefined;
      for (let i = 0; i < options.sweepRepeats; i++) {
        const run = strip(await drainRun(infra, sweepSessions, random, window, limits));
        if (!storedExactly(run)) return run; // a wrong store must show, not hide behind a faster run
        if (!top || run.result.closedMs < top.result.closedMs) top = run;
      }
      return top!;
    };
    for (const window of options.windows) {
      log(`sweep: window ${window}, default batch limits, ${options.sweepEvents} events × ${options.sweepRepeats}`);
      windowSweep.push(await fastest(window, DEFAULT_BATCH_LIMITS));
    }
    for (const size of options.batchSizes) {
      log(
        `sweep: window ${DEFAULT_WINDOW}, ${size} events per batch (no byte cap), ${options.sweepEvents} events × ${options.sweepRepeats}`,
      );
      batchSweep.push(await fastest(DEFAULT_WINDOW, { maxEvents: size, maxBytes: UNCAPPED_BYTES }));
    }
  }

  // Where the time goes: each ingest step alone, over the batches the engine sends by default.
  let stages: StageCosts | undefined;
  if (sweepSessions.length > 0) {
    log('stage costs: encode, decode, validate, map, storeBatch, one at a time');
    await resetSessions(infra.admin);
    const batches = sweepSessions.flatMap((events, i) => {
      const id = `cs_stages_${i}`;
      return engineBatches(id, benchSessionMeta(events[0]?.timestamp ?? 0), asRecorded(id, events));
    });
    stages = await measureStageCosts(infra.db, DEV_WORKER_ID, infra.pgDataDir, batches);
  }

  // 4: compression on one realistic session, at the default limits and at fixed batch sizes.
  log(`compression: one ${options.compressionEvents}-event realistic session`);
  const compressionSession = 'cs_compression_1';
  const compressionEvents = asRecorded(
    compressionSession,
    generateShoppingSession({ events: options.compressionEvents, seed: options.seed * 1000 + 998 }),
  );
  const meta = benchSessionMeta(compressionEvents[0]!.timestamp);
  const compression = {
    events: compressionEvents.length,
    defaults: measureCompression(compressionSession, meta, compressionEvents, DEFAULT_BATCH_LIMITS),
    sizes: options.batchSizes.map((size) =>
      measureCompression(compressionSession, meta, compressionEvents, { maxEvents: size, maxBytes: UNCAPPED_BYTES }),
    ),
    fixture: measureCompression(
      compressionSession,
      meta,
      sampleRecordedEvents(compressionSession, compressionEvents.length),
      DEFAULT_BATCH_LIMITS,
    ),
  };

  return {
    options,
    loadAtStart,
    drain: strip(main),
    wire,
    copy,
    compression,
    latency: {
      batches: stats(measured.batches),
      floor: stats(measured.floor),
      oneQuery: stats(measured.oneQuery),
      store: stats(direct),
      events: measured.eventsSent,
    },
    windowSweep,
    batchSweep,
    stages,
  };
}
