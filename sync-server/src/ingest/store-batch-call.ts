import type { BatchMessage } from '@codesight/schema';
import { sql, type Kysely } from 'kysely';
import { storableText, toJsonb, toJsonbOrNull } from '../db/jsonb';
import type { Database } from '../db/schema';
import { MAX_SESSION_HOSTS, MAX_SESSION_URLS } from './limits';
import { hostOf } from './session-stats';

/** The watermark after the call and how many of the batch's events were new. */
export interface StoreBatchCallResult {
  ackedThrough: number;
  inserted: number;
}

/** url → hostname for the batch's distinct URLs that have one, as the session summary derives hosts. */
export function hostsByUrl(batch: BatchMessage): Record<string, string> {
  const hosts: Record<string, string> = {};
  for (const event of batch.events) {
    if (!event.url) continue;
    // The function compares the URL as stored (scrubbed), so the key must be that text too.
    const url = storableText(event.url);
    if (Object.hasOwn(hosts, url)) continue;
    const host = hostOf(url);
    if (host !== null) hosts[url] = storableText(host);
  }
  return hosts;
}

/**
 * Stores a checked batch into an existing session of `workerId` with one call of the
 * `store_batch_events` database function (migration `2026-11-28T0100`): lock, insert, watermark and
 * summary in one round trip. Returns undefined when the session does not exist yet or belongs to
 * another worker; the caller then takes the stepwise path, which creates or refuses.
 */
export async function storeBatchInOneCall(
  db: Kysely<Database>,
  workerId: string,
  batch: BatchMessage,
): Promise<StoreBatchCallResult | undefined> {
  const meta = batch.session;
  const { rows } = await sql<{ o_acked_through: number; o_inserted: number }>`
    select o_acked_through, o_inserted from store_batch_events(
      ${batch.sessionId}, ${workerId}, ${toJsonb(batch.events)}::jsonb, ${toJsonb(hostsByUrl(batch))}::jsonb,
      ${meta?.userAgent === undefined ? null : storableText(meta.userAgent)}::text,
      ${meta?.extensionVersion === undefined ? null : storableText(meta.extensionVersion)}::text,
      ${toJsonbOrNull(meta?.maskingPolicy)}::jsonb,
      ${MAX_SESSION_URLS}::int, ${MAX_SESSION_HOSTS}::int)`.execute(db);
  const row = rows[0];
  return row === undefined
    ? undefined
    : { ackedThrough: Number(row.o_acked_through), inserted: Number(row.o_inserted) };
}
