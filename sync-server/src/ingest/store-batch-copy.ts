import type { BatchMessage } from '@codesight/schema';
import type { Transaction } from 'kysely';
import { COPY_INTERACTIONS_STATEMENT, interactionCopyLine } from '../db/copy-text';
import type { CopyTransaction } from '../db/copy-transaction';
import { storableText, toJsonb } from '../db/jsonb';
import type { Database } from '../db/schema';
import { mapEventToRow } from './event-row';
import type { StoreBatchCallResult } from './store-batch-call';
import { recordSessionProgress } from './store-events';
import { LOCKED_COLUMNS } from './session-lock';

/**
 * Batches from this many events on are stored by COPY when the database offers it. Below, the one-call
 * function wins: COPY takes ~6 round trips (lock, existing sequences, COPY, watermark, summary,
 * commit) against one, which costs more than it saves on a few rows and would lengthen the ack of the
 * small batches a live session sends. scripts/bench/README.md, "COPY path", has the measurement.
 */
export const COPY_MIN_EVENTS = 64;

/** Sequences of `batch` already stored in its session (read under the session lock). */
async function storedSequences(trx: Transaction<Database>, batch: BatchMessage): Promise<Set<number>> {
  const rows = await trx
    .selectFrom('interactions')
    .select('sequence')
    .where('session_id', '=', batch.sessionId)
    .where('sequence', '>=', batch.firstSequence)
    .where('sequence', '<=', batch.lastSequence)
    .execute();
  return new Set(rows.map((r) => r.sequence));
}

/**
 * Stores a checked batch into an existing session of `workerId` by COPY, in one transaction: lock the
 * session row, read which of the batch's sequences are already stored, COPY the others, then the same
 * summary and watermark update as the stepwise path. The lock is what makes COPY safe without
 * `on conflict`: every writer of a session's events holds it, so nothing can store one of these
 * sequences between the read and the COPY (and the unique index would still refuse it: the caller
 * falls back). Returns undefined when the session does not exist yet or belongs to another worker;
 * the caller then takes the stepwise path, which creates or refuses.
 */
export async function storeBatchByCopy(
  copyTransaction: CopyTransaction,
  workerId: string,
  batch: BatchMessage,
): Promise<StoreBatchCallResult | undefined> {
  return copyTransaction(async (trx, copyIn) => {
    const session = await trx
      .selectFrom('sessions')
      .select(LOCKED_COLUMNS)
      .where('id', '=', batch.sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (session === undefined || session.worker_id !== workerId) return undefined;

    const stored = await storedSequences(trx, batch);
    const fresh = stored.size === 0 ? batch.events : batch.events.filter((e) => !stored.has(e.sequence));
    if (fresh.length > 0) {
      let text = '';
      for (const event of fresh) text += interactionCopyLine(mapEventToRow(batch.sessionId, event));
      await copyIn(COPY_INTERACTIONS_STATEMENT, text);
    }
    const meta = batch.session;
    const ackedThrough = await recordSessionProgress(trx, session, fresh, {
      user_agent: meta?.userAgent && storableText(meta.userAgent),
      extension_version: meta?.extensionVersion && storableText(meta.extensionVersion),
      masking_policy: meta?.maskingPolicy && toJsonb(meta.maskingPolicy),
    });
    return { ackedThrough, inserted: fresh.length };
  });
}
