/**
 * Opaque keyset cursors for session listings: the (created_at, id) of the last row of a page, as
 * base64url JSON. created_at has millisecond precision, so the Date round-trips exactly.
 */

export interface SessionCursor {
  createdAt: Date;
  id: string;
}

/** Encodes the position after `row`. */
export function encodeSessionCursor(row: { created_at: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor from a query string; null when it is not one of ours. */
export function decodeSessionCursor(cursor: string): SessionCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [iso, id] = value as unknown[];
    if (typeof iso !== 'string' || typeof id !== 'string') return null;
    const createdAt = new Date(iso);
    return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id };
  } catch {
    return null;
  }
}
