import type { BatchMessage } from '@codesight/schema';
import { DEV_API_KEY } from '../../sync-server/src/auth/api-keys';
import { benchSessionMeta } from './backlog-store';
import { asRecorded, engineBatches } from './engine-batches';
import { readProcMemory, startMemoryServer, type MemoryServer, type ProcMemory } from './embedded-memory-process';
import { generateShoppingSession } from './shopping-session';

/** One server run: start, idle, store events over HTTP, idle again. Memory in MiB. */
export interface MemoryRun {
  label: string;
  /** From fork to listening (tsx, database open, initdb on a new PGlite directory, migrations). */
  startSeconds: number;
  started: ProcMemory;
  idle: ProcMemory;
  /** Highest VmRSS sampled while the events were being stored. */
  storePeak: number;
  stored: ProcMemory;
  idleAgain: ProcMemory;
  /** process.memoryUsage() in the server at the end (after the second idle). */
  usage: NodeJS.MemoryUsage;
  events: number;
  storeSeconds: number;
  /** PostgreSQL's own processes (PSS), at the same points; only for a run on PostgreSQL. */
  cluster?: { idle: number; stored: number; idleAgain: number };
}

/** What a run does and where. */
export interface MemoryRunOptions {
  label: string;
  /** PGlite's directory is `${dataDir}/pglite`; blobs go there too. */
  dataDir: string;
  /** Unset: embedded PGlite. */
  databaseUrl?: string;
  /** Session ids start with this; a run on a reused directory needs new ones. */
  sessionPrefix: string;
  events: number;
  idleSeconds: number;
  seed: number;
  /** PSS of the PostgreSQL cluster, for runs on PostgreSQL. */
  clusterPss?: () => Promise<number>;
}

/** Events per session: a long recording, cut into batches by the engine's own default limits. */
const EVENTS_PER_SESSION = 5_000;
/** VmRSS sampling while storing: fine enough to see a peak that lasts a batch (~0.1 s). */
const SAMPLE_EVERY_MS = 50;

/** The batches a worker's extension would send for `events` events, over sessions of 5000. */
function benchBatches(prefix: string, events: number, seed: number): BatchMessage[] {
  const batches: BatchMessage[] = [];
  for (let i = 0; i * EVENTS_PER_SESSION < events; i++) {
    const id = `cs_${prefix}_${i + 1}`;
    const count = Math.min(EVENTS_PER_SESSION, events - i * EVENTS_PER_SESSION);
    const captured = generateShoppingSession({ events: count, seed: seed * 1000 + i });
    batches.push(...engineBatches(id, benchSessionMeta(captured[0]?.timestamp ?? 0), asRecorded(id, captured)));
  }
  return batches;
}

/** POSTs the batches one after the other to the HTTP twin of the socket protocol; each must be acked whole. */
async function storeOverHttp(url: string, batches: readonly BatchMessage[]): Promise<void> {
  for (const batch of batches) {
    const response = await fetch(`${url}/api/sync/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': DEV_API_KEY },
      body: JSON.stringify(batch),
    });
    const reply = (await response.json()) as { type?: string; ackedThrough?: number };
    if (!response.ok || reply.type !== 'batch_ack' || reply.ackedThrough !== batch.lastSequence)
      throw new Error(`batch ${batch.batchId} of ${batch.sessionId} not acked: ${JSON.stringify(reply)}`);
  }
}

/** Resolves with the highest VmRSS of `pid` seen while `work` runs. */
async function peakWhile(pid: number, work: Promise<void>): Promise<number> {
  let peak = (await readProcMemory(pid)).rss;
  const timer = setInterval(() => {
    readProcMemory(pid).then(
      (m) => (peak = Math.max(peak, m.rss)),
      () => {},
    );
  }, SAMPLE_EVERY_MS);
  try {
    await work;
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, (await readProcMemory(pid)).rss);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the server, measures it after start, after `idleSeconds`, while and after storing `events`
 * events, and after `idleSeconds` more; stops it. `onStarted` registers the server for cleanup.
 */
export async function runMemoryServer(
  options: MemoryRunOptions,
  onStarted: (server: MemoryServer) => void,
  log: (line: string) => void,
): Promise<MemoryRun> {
  const batches = benchBatches(options.sessionPrefix, options.events, options.seed);
  const startedAt = performance.now();
  const server = await startMemoryServer({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  onStarted(server);
  const startSeconds = (performance.now() - startedAt) / 1000;
  const started = await readProcMemory(server.pid);
  log(
    `${options.label}: up in ${startSeconds.toFixed(1)} s, ${Math.round(started.rss)} MiB; idle ${options.idleSeconds} s`,
  );
  await sleep(options.idleSeconds * 1000);
  const idle = await readProcMemory(server.pid);
  const clusterIdle = await options.clusterPss?.();

  log(`${options.label}: storing ${options.events} events in ${batches.length} batches over HTTP`);
  const storeStarted = performance.now();
  const storePeak = await peakWhile(server.pid, storeOverHttp(server.url, batches));
  const storeSeconds = (performance.now() - storeStarted) / 1000;
  const stored = await readProcMemory(server.pid);
  const clusterStored = await options.clusterPss?.();
  log(`${options.label}: stored in ${storeSeconds.toFixed(1)} s; idle ${options.idleSeconds} s`);
  await sleep(options.idleSeconds * 1000);
  const idleAgain = await readProcMemory(server.pid);
  const clusterIdleAgain = await options.clusterPss?.();
  const usage = await server.memoryUsage();
  await server.stop();

  const cluster =
    clusterIdle !== undefined && clusterStored !== undefined && clusterIdleAgain !== undefined
      ? { idle: clusterIdle, stored: clusterStored, idleAgain: clusterIdleAgain }
      : undefined;
  return {
    label: options.label,
    startSeconds,
    started,
    idle,
    storePeak,
    stored,
    idleAgain,
    usage,
    events: options.events,
    storeSeconds,
    ...(cluster && { cluster }),
  };
}
