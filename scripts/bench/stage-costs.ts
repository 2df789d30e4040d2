import { BatchMessageSchema, decodeCompressed, encodeCompressed, validate, type BatchMessage } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../../sync-server/src/db/schema';
import { mapEventToRow } from '../../sync-server/src/ingest/event-row';
import { storeBatch } from '../../sync-server/src/ingest/store-batch';
import { ownCpuMs, postgresCpuMs } from './cpu-usage';

/** Time spent in each step a batch goes through, over the same batches, one step at a time. */
export interface StageCosts {
  events: number;
  batches: number;
  /** Client: `encodeCompressed` (JSON.stringify + fflate gzip level 6). */
  encodeMs: number;
  /** Server: `decodeCompressed` (fflate gunzip + JSON.parse), as ws/connection.ts does per frame. */
  decodeMs: number;
  /** Server: `validate(BatchMessageSchema)` (valibot), as handleBatch does. */
  validateMs: number;
  /** Server: `mapEventToRow` for every event (the jsonb column texts), part of storeBatch. */
  mapMs: number;
  /** Server: `storeBatch` called directly, batch after batch: wall time of the whole transaction. */
  storeMs: number;
  /** This process's CPU during those storeBatch calls (map, Kysely compile, pg serialization). */
  storeNodeCpuMs: number;
  /** PostgreSQL's CPU during those calls; undefined when it cannot be read. */
  storePgCpuMs: number | undefined;
}

const MAX_INFLATED = 64 * 1024 * 1024;
/** Batches run through the CPU-only steps before timing them. */
const WARMUP_BATCHES = 5;

/**
 * Runs each stage of the ingest path in isolation over `batches` (in this process, no socket), so the
 * per-event cost of every step can be compared with the end-to-end figure. `db` must be the bench's
 * database with the dev worker in it; the batches' sessions must not exist yet.
 */
export async function measureStageCosts(
  db: Kysely<Database>,
  workerId: string,
  pgDataDir: string,
  batches: readonly BatchMessage[],
): Promise<StageCosts> {
  const time = (task: () => void) => {
    const started = performance.now();
    task();
    return performance.now() - started;
  };
  // One untimed pass over a few batches first, so that the timed pass does not pay for JIT compilation.
  for (const b of batches.slice(0, WARMUP_BATCHES)) {
    validate(BatchMessageSchema, decodeCompressed(encodeCompressed(b), MAX_INFLATED));
    for (const e of b.events) mapEventToRow(b.sessionId, e);
  }
  let frames: Uint8Array[] = [];
  let decoded: unknown[] = [];
  const encodeMs = time(() => (frames = batches.map((b) => encodeCompressed(b))));
  const decodeMs = time(() => (decoded = frames.map((f) => decodeCompressed(f, MAX_INFLATED))));
  const validateMs = time(() => {
    for (const message of decoded)
      if (!validate(BatchMessageSchema, message).ok) throw new Error('stage costs: a batch failed validation');
  });
  const mapMs = time(() => {
    for (const b of batches) for (const e of b.events) mapEventToRow(b.sessionId, e);
  });

  const pgBefore = await postgresCpuMs(pgDataDir);
  const cpuBefore = ownCpuMs();
  const started = performance.now();
  for (const batch of batches) {
    const result = await storeBatch(db, workerId, batch);
    if (!result.ok) throw new Error(`stage costs: storeBatch refused a batch: ${result.error.message}`);
  }
  const storeMs = performance.now() - started;
  const storeNodeCpuMs = ownCpuMs() - cpuBefore;
  const pgAfter = await postgresCpuMs(pgDataDir);
  return {
    events: batches.reduce((sum, b) => sum + b.events.length, 0),
    batches: batches.length,
    encodeMs,
    decodeMs,
    validateMs,
    mapMs,
    storeMs,
    storeNodeCpuMs,
    storePgCpuMs: pgBefore === undefined || pgAfter === undefined ? undefined : pgAfter - pgBefore,
  };
}

/**
 * `storeBatch` alone (no socket, no gzip, no validation) for each of `batches` in turn, in ms: how much
 * of the ack latency is the database transaction itself.
 */
export async function measureStoreLatency(
  db: Kysely<Database>,
  workerId: string,
  batches: readonly BatchMessage[],
): Promise<number[]> {
  const samples: number[] = [];
  for (const batch of batches) {
    const started = performance.now();
    const result = await storeBatch(db, workerId, batch);
    samples.push(performance.now() - started);
    if (!result.ok) throw new Error(`store latency: storeBatch refused a batch: ${result.error.message}`);
  }
  return samples;
}
