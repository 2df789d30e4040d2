import { MAX_EPOCH_MS, MAX_SEQUENCE } from '@codesight/schema';
import { refusal, type Refusal } from '../refusal';

/**
 * Bounds of what the database columns can hold. The wire schemas (schema/) check these ranges; ingest
 * checks them again where values are computed (rounded legacy times, assigned sequences), so a value
 * past them never fails an INSERT and makes the client retry a batch forever.
 */

/** `sequence` is an int4 column (the schema's bound, re-exported for ingest). */
export { MAX_SEQUENCE };

/** Epoch ms of 9999-12-31: far beyond any real event, inside both JS Date and timestamptz ranges. */
export const MAX_TIMESTAMP_MS = MAX_EPOCH_MS;

/** The refusal for an epoch-ms time (the message's `field`) past {@link MAX_TIMESTAMP_MS}, if it is. */
export function implausibleTime(field: string, epochMs: number): Refusal | undefined {
  if (epochMs <= MAX_TIMESTAMP_MS) return undefined;
  return refusal('validation_failed', `${field}: ${epochMs} is not a plausible epoch-ms time`);
}

/** Rows per multi-row INSERT: 1000 rows x 21 columns stays well below PostgreSQL's 65535 parameters. */
export const INSERT_CHUNK_ROWS = 1000;

/** Distinct URLs / hosts remembered per session: enough for a long shopping session, bounded for a crawler loop. */
export const MAX_SESSION_URLS = 1000;
export const MAX_SESSION_HOSTS = 1000;
