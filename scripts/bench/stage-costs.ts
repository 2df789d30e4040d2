import { BatchMessageSchema, encodeCompressed, validate, type BatchMessage } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../../sync-server/src/db/schema';
import { mapEventToRow } from '../../sync-server/src/ingest/event-row';
import { storeBatch } from '../../sync-server/src/ingest/store-batch';
import { maskRecordedEvents } from '../../sync-server/src/privacy/mask-events';
import { decodeFrame } from '../../sync-server/src/ws/frame-decoder';
import { ownCpuMs, postgresCpuMs } from './cpu-usage';

/** Time spent in each step a batch goes through, over the same batches, one step at a time. */
export interface StageCosts {
  events: number;
  batches: number;
  /** Client: `encodeCompressed` (JSON.stringify + fflate gzip level 6). */
  encodeMs: number;
  /** Server: `decodeFrame` (node:zlib gunzip + bounded JSON.parse), as the socket does per binary frame. */
  decodeMs: number;
  /** Server: `validate(BatchMessageSchema)` (valibot), as handleBatch does. */
  validateMs: number;
  /** Server: `maskRecordedEvents`, the server's second masking pass (issue 14), part of storeBatch. */
  maskMs: number;
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
  /** What the socket hands the server for a binary frame: its own ArrayBuffer. */
  const asFrame = (bytes: Uint8Array) => bytes.slice().buffer;
  const decodeOrThrow = (frame: ArrayBuffer) => {
    const decoding = decodeFrame(frame, MAX_INFLATED);
    if (!decoding.ok) throw new Error(`stage costs: a frame did not decode: ${decoding.error.message}`);
    return decoding.value.message as unknown;
  };
  // One untimed pass over a few batches first, so that the timed pass does not pay for JIT compilation.
  for (const b of batches.slice(0, WARMUP_BATCHES)) {
    validate(BatchMessageSchema, decodeOrThrow(asFrame(encodeCompressed(b))));
    await maskRecordedEvents(b.events);
    for (const e of b.events) mapEventToRow(b.sessionId, e);
  }
  let frames: ArrayBuffer[] = [];
  let decoded: unknown[] = [];
  const encodeMs = time(() => (frames = batches.map((b) => asFrame(encodeCompressed(b)))));
  const decodeMs = time(() => (decoded = frames.map(decodeOrThrow)));
  const validateMs = time(() => {
    for (const message of decoded)
      if (!validate(BatchMessageSchema, message).ok) throw new Error('stage costs: a batch failed validation');
  });
  const maskStarted = performance.now();
  for (const b of batches) await maskRecordedEvents(b.events);
  const maskMs = performance.now() - maskStarted;
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
    maskMs,
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
