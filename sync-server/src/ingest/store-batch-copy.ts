import type { BatchMessage } from '@codesight/schema';
import { sql, type Transaction } from 'kysely';
import { COPY_INTERACTIONS_STATEMENT, interactionCopyLine } from '../db/copy-text';
import type { CopyTransaction } from '../db/copy-transaction';
import { storableText, toJsonb, toJsonbOrNull } from '../db/jsonb';
import type { Database } from '../db/schema';
import { mapEventToRow } from './event-row';
import { MAX_SESSION_HOSTS, MAX_SESSION_URLS } from './limits';
import { hostsByUrl, type StoreBatchCallResult } from './store-batch-call';

/**
 * Batches from this many events on are stored by COPY when the database offers it. COPY moves work
 * from PostgreSQL to the server: per stored event it took less PostgreSQL CPU than the one-call
 * function from ~256 events per batch on (27 vs 37 us at 500; equal at 128) and more server CPU
 * (13 vs 5 us at 500), since the server encodes the rows and makes five round trips instead of one.
 * Server instances scale out and PostgreSQL is the one shared resource, so large batches (an offline
 * backlog) go by COPY; a live session's small batches keep the function and its single round trip.
 * scripts/bench/README.md, "COPY path", has the measurement.
 */
export const COPY_MIN_EVENTS = 256;

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

/** A batch's rows, encoded before its transaction opens. */
interface EncodedRows {
  /** COPY text lines, in the batch's event order. */
  lines: string[];
  urls: (string | null)[];
}

/**
 * Maps and encodes every event of the batch. Done before the transaction, not inside it: encoding
 * 500 events takes ~1.5 ms of server CPU, during which the session stayed locked and PostgreSQL sat
 * waiting for the COPY; outside, PostgreSQL can be storing another batch meanwhile. A batch partly
 * stored already (a resend) encodes a few rows for nothing, which is rare and cheap.
 */
function encodeRows(batch: BatchMessage): EncodedRows {
  const lines: string[] = [];
  const urls: (string | null)[] = [];
  for (const event of batch.events) {
    const row = mapEventToRow(batch.sessionId, event);
    urls.push(row.url ?? null);
    lines.push(interactionCopyLine(row));
  }
  return { lines, urls };
}

/** What stored events add to their session's summary: counts by type, distinct URLs in first-seen order. */
interface SummaryAddition {
  /** `{ type: n }` as jsonb text; null when nothing was stored. */
  counts: string | null;
  urls: string[];
}

/**
 * The aggregates `record_batch_summary` takes (migration `2026-12-03T1200`), from events in sequence
 * order and their stored URLs. Sending these instead of one type and one URL per event spares
 * PostgreSQL parsing and grouping ~50 KB of arrays per batch (about a fifth of its work per event).
 */
function summaryOf(
  events: readonly BatchMessage['events'][number][],
  urls: readonly (string | null)[],
): SummaryAddition {
  const counts = new Map<string, number>();
  for (const event of events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
  const distinct = new Set<string>();
  for (const url of urls) if (url) distinct.add(url);
  return { counts: counts.size === 0 ? null : toJsonb(Object.fromEntries(counts)), urls: [...distinct] };
}

/**
 * Stores a checked batch into an existing session of `workerId` by COPY, in one transaction: lock the
 * session row, read which of the batch's sequences are already stored, COPY the others, then let
 * `record_batch_summary` (migration `2026-12-03T1200`, also behind `store_batch_events`) update the
 * summary and the watermark. The lock is what makes COPY safe without `on conflict`: every writer of a
 * session's events holds it, so nothing stores one of these sequences between the read and the COPY
 * (and the unique index would still refuse it: the caller falls back). Returns undefined when the
 * session does not exist yet or belongs to another worker; the caller then takes the stepwise path,
 * which creates or refuses.
 */
export async function storeBatchByCopy(
  copyTransaction: CopyTransaction,
  workerId: string,
  batch: BatchMessage,
): Promise<StoreBatchCallResult | undefined> {
  const encoded = encodeRows(batch);
  const hosts = toJsonb(hostsByUrl(batch));
  return copyTransaction(async (trx, copyIn) => {
    // Only the owner: the summary columns (urls can be ~100 KB) stay in the database.
    const session = await trx
      .selectFrom('sessions')
      .select('worker_id')
      .where('id', '=', batch.sessionId)
      .forUpdate()
      .executeTakeFirst();
    if (session === undefined || session.worker_id !== workerId) return undefined;

    const stored = await storedSequences(trx, batch);
    const keep = stored.size === 0 ? undefined : batch.events.map((e) => !stored.has(e.sequence));
    const pick = <T>(items: T[]): T[] => (keep === undefined ? items : items.filter((_, i) => keep[i]));
    const fresh = pick(batch.events);
    if (fresh.length > 0) await copyIn(COPY_INTERACTIONS_STATEMENT, pick(encoded.lines).join(''));
    const added = summaryOf(fresh, pick(encoded.urls));
    const meta = batch.session;
    const { rows } = await sql<{ o_acked_through: number; o_inserted: number }>`
      select o_acked_through, o_inserted from record_batch_summary(
        ${batch.sessionId}, ${fresh.length}::int, ${added.counts}::jsonb, ${added.urls}::text[], ${hosts}::jsonb,
        ${meta?.userAgent === undefined ? null : storableText(meta.userAgent)}::text,
        ${meta?.extensionVersion === undefined ? null : storableText(meta.extensionVersion)}::text,
        ${toJsonbOrNull(meta?.maskingPolicy)}::jsonb,
        ${MAX_SESSION_URLS}::int, ${MAX_SESSION_HOSTS}::int)`.execute(trx);
    const row = rows[0];
    if (row === undefined) throw new Error(`record_batch_summary found no session ${batch.sessionId} under its lock`);
    return { ackedThrough: Number(row.o_acked_through), inserted: Number(row.o_inserted) };
  });
}
