import { refusal, type Refusal } from '../refusal';

/**
 * Bounds of what the database columns can hold. The wire schemas check types and shapes but not
 * these ranges; a value past them would fail the INSERT and make the client retry a batch forever,
 * so ingest refuses it up front with `validation_failed`.
 */

/** `sequence` is an int4 column. */
export const MAX_SEQUENCE = 2_147_483_647;

/** Epoch ms of 9999-12-31: far beyond any real event, inside both JS Date and timestamptz ranges. */
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31);

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
