import { err, ok, type BatchMessage, type Result } from '@codesight/schema';
import type { Kysely } from 'kysely';
import { storableText, storableTextOrNull, toJsonb, toJsonbOrNull } from '../db/jsonb';
import type { CopyTransaction } from '../db/copy-transaction';
import type { Database } from '../db/schema';
import { maskRecordedEvents } from '../privacy/mask-events';
import { recordServerMasks } from '../privacy/server-masks';
import { refusal, type Refusal } from '../refusal';
import { mapEventToRow } from './event-row';
import { implausibleTime, MAX_SEQUENCE } from './limits';
import { lockSession } from './session-lock';
import { storeBatchInOneCall } from './store-batch-call';
import { COPY_MIN_EVENTS, storeBatchByCopy } from './store-batch-copy';
import { insertInteractionRows, recordSessionProgress } from './store-events';

/**
 * A unique violation from the COPY path means some writer stored one of the batch's events without
 * the session lock (none does today): the transaction was rolled back, and the `on conflict` path
 * below stores the batch instead. Anything else is a real failure.
 */
function unlessUniqueViolation(error: unknown): undefined {
  if ((error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION) return undefined;
  throw error;
}

const UNIQUE_VIOLATION = '23505';

/** What storing a batch did: events newly stored, events already held, and the session's watermark. */
export interface StoreBatchResult {
  inserted: number;
  duplicates: number;
  /** Highest N such that 1..N are all stored (the `ackedThrough` of the batch_ack). */
  ackedThrough: number;
}

/** Range checks the wire schema leaves to the server: the first problem, or undefined when the batch is storable. */
function batchProblem(batch: BatchMessage): Refusal | undefined {
  if (batch.events.length === 0) return refusal('validation_failed', 'batch has no events');
  const lateStart = batch.session && implausibleTime('session.startTime', batch.session.startTime);
  if (lateStart) return lateStart;
  if (batch.lastSequence > MAX_SEQUENCE) {
    return refusal('validation_failed', `sequence ${batch.lastSequence} is beyond ${MAX_SEQUENCE}`);
  }
  for (const [i, event] of batch.events.entries()) {
    if (event.sessionId !== batch.sessionId || event.sequence !== batch.firstSequence + i) {
      return refusal(
        'validation_failed',
        `events[${i}]: not sequence ${batch.firstSequence + i} of session ${batch.sessionId}`,
      );
    }
    const late = implausibleTime(`events[${i}].timestamp`, event.timestamp);
    if (late) return late;
  }
  return undefined;
}

/**
 * Stores one sync batch in one transaction, idempotently: creates the session on first contact (owned
 * by `workerId`), inserts every event not already stored, updates the session summary and advances
 * `acked_through`. Sending the same batch again, concurrently, or to another instance stores each
 * event exactly once. Refusals (another worker's session, out-of-range values) come back as
 * failed results; database failures throw.
 *
 * Every batch after a session's first takes one database call ({@link storeBatchInOneCall}), or, given
 * `copyTransaction` (PostgreSQL), a COPY when it is large ({@link storeBatchByCopy}); the first, and one
 * for another worker's session, take {@link storeBatchStepwise}. Every path stores the events as the
 * server's masking left them (`privacy/mask-events.ts`).
 */
export async function storeBatch(
  db: Kysely<Database>,
  workerId: string,
  batch: BatchMessage,
  copyTransaction?: CopyTransaction,
): Promise<Result<StoreBatchResult, Refusal>> {
  const problem = batchProblem(batch);
  if (problem) return err(problem);
  // The server masks what a client left unmasked (issue 14) before any path stores it; what it had to
  // mask is recorded once the events are stored, keyed by sequence so a resend counts once.
  const masking = await maskRecordedEvents(batch.events);
  const masked = masking.masked.length > 0 ? { ...batch, events: masking.events } : batch;
  const result = await storeCheckedBatch(db, workerId, masked, copyTransaction);
  if (result.ok && masking.masked.length > 0) {
    await recordServerMasks(
      db,
      batch.sessionId,
      masking.masked.map((m) => ({ sequence: masked.events[m.index]!.sequence, counts: m.counts })),
    );
  }
  return result;
}

async function storeCheckedBatch(
  db: Kysely<Database>,
  workerId: string,
  batch: BatchMessage,
  copyTransaction: CopyTransaction | undefined,
): Promise<Result<StoreBatchResult, Refusal>> {
  const stored =
    (copyTransaction && batch.events.length >= COPY_MIN_EVENTS
      ? await storeBatchByCopy(copyTransaction, workerId, batch).catch(unlessUniqueViolation)
      : undefined) ?? (await storeBatchInOneCall(db, workerId, batch));
  if (stored !== undefined) {
    return ok({
      inserted: stored.inserted,
      duplicates: batch.events.length - stored.inserted,
      ackedThrough: stored.ackedThrough,
    });
  }
  return storeBatchStepwise(db, workerId, batch);
}

/**
 * {@link storeBatch} statement by statement in TypeScript: the path that creates a session and refuses
 * another worker's. Expects a batch `storeBatch` has range-checked. Exported so tests can compare it
 * with the one-call path.
 */
export async function storeBatchStepwise(
  db: Kysely<Database>,
  workerId: string,
  batch: BatchMessage,
): Promise<Result<StoreBatchResult, Refusal>> {
  const meta = batch.session;
  const firstTimestamp = batch.events[0]?.timestamp ?? Date.now();

  return db.transaction().execute(async (trx) => {
    const locked = await lockSession(trx, workerId, batch.sessionId, () => ({
      start_time: new Date(meta?.startTime ?? firstTimestamp),
      user_agent: storableTextOrNull(meta?.userAgent),
      extension_version: storableTextOrNull(meta?.extensionVersion),
      masking_policy: toJsonbOrNull(meta?.maskingPolicy),
    }));
    if (!locked.ok) return locked;

    const inserted = await insertInteractionRows(
      trx,
      batch.events.map((e) => mapEventToRow(batch.sessionId, e)),
    );
    const insertedEvents = batch.events.filter((e) => inserted.has(e.sequence));
    const ackedThrough = await recordSessionProgress(trx, locked.value.row, insertedEvents, {
      user_agent: meta?.userAgent && storableText(meta.userAgent),
      extension_version: meta?.extensionVersion && storableText(meta.extensionVersion),
      masking_policy: meta?.maskingPolicy && toJsonb(meta.maskingPolicy),
    });
    return ok({ inserted: inserted.size, duplicates: batch.events.length - inserted.size, ackedThrough });
  });
}
