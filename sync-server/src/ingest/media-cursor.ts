import { MAX_SEQUENCE, MAX_TIMESTAMP_MS } from './limits';

/**
 * Opaque keyset cursors for a session's media listings, as base64url JSON like the session cursors:
 * a screenshot listing continues after (timestamp ms, burst index, id), a chunk listing after a
 * chunk index. Decoding never throws: anything that is not one of ours is null.
 */

/** The position after one screenshot, in listing order. */
export interface ScreenshotCursor {
  /** Epoch ms (the column has millisecond precision, so this is exact). */
  timestamp: number;
  /** `coalesce(burst_index, 0)`: the listing sorts a screenshot without a burst as index 0. */
  burstIndex: number;
  id: string;
}

/** Largest id a cursor carries: ids are at most 64 characters on the wire; legacy ids are 39. */
const MAX_CURSOR_ID = 128;

function encode(value: unknown[]): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(cursor: string): unknown[] | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(value) ? (value as unknown[]) : null;
  } catch {
    return null;
  }
}

/** A whole number in 0..max: what an int4 index (MAX_SEQUENCE) or a stored time (MAX_TIMESTAMP_MS) can hold. */
function isWhole(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= max;
}

/** Encodes the position after `shot`. */
export function encodeScreenshotCursor(shot: ScreenshotCursor): string {
  return encode([shot.timestamp, shot.burstIndex, shot.id]);
}

/** Decodes a screenshot cursor from a query string; null when it is not one of ours. */
export function decodeScreenshotCursor(cursor: string): ScreenshotCursor | null {
  const value = decode(cursor);
  if (value?.length !== 3) return null;
  const [timestamp, burstIndex, id] = value;
  if (!isWhole(timestamp, MAX_TIMESTAMP_MS) || !isWhole(burstIndex, MAX_SEQUENCE)) return null;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_CURSOR_ID) return null;
  return { timestamp, burstIndex, id };
}

/** Encodes the position after the chunk with this index. */
export function encodeChunkCursor(chunkIndex: number): string {
  return encode([chunkIndex]);
}

/** Decodes a chunk cursor (the last chunk index of the previous page); null when it is not one of ours. */
export function decodeChunkCursor(cursor: string): number | null {
  const value = decode(cursor);
  if (value?.length !== 1) return null;
  const [chunkIndex] = value;
  return isWhole(chunkIndex, MAX_SEQUENCE) ? chunkIndex : null;
}
