import type { Failure } from '../core/result';
import { LIMITS } from '../limits';

/**
 * The free-form metadata of a legacy `session_start`: every top-level key that has no column of its
 * own. It is stored with the session and merged by repeated starts, so it is bounded in bytes, keys and
 * depth, for one message and for the merged result alike.
 */

/** Keys of `session_start` with a meaning (and a column) of their own; every other key is metadata. */
export const SESSION_START_FIELDS: ReadonlySet<string> = new Set([
  'type',
  'sessionId',
  'startTime',
  'url',
  'userAgent',
]);

/** How large session metadata may be: {@link LIMITS}' `sessionMetadata*`. */
export interface SessionMetadataBounds {
  maxBytes: number;
  maxKeys: number;
  maxDepth: number;
}

export const SESSION_METADATA_BOUNDS: SessionMetadataBounds = {
  maxBytes: LIMITS.sessionMetadataBytes,
  maxKeys: LIMITS.sessionMetadataKeys,
  maxDepth: LIMITS.sessionMetadataDepth,
};

/** Why metadata is refused: too large (bytes, keys) is `payload_too_large`, too deep `validation_failed`. */
export type SessionMetadataFailure = Failure<'payload_too_large' | 'validation_failed'>;

/** The metadata part of a `session_start` message (or of its REST body): the keys not in {@link SESSION_START_FIELDS}. */
export function sessionStartMetadata(message: Record<string, unknown>): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(message)) if (!SESSION_START_FIELDS.has(key)) metadata[key] = value;
  return metadata;
}

/** Bytes `value`'s JSON takes at least (no escapes counted, UTF-16 units <= UTF-8 bytes). */
function scalarBytesAtLeast(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).length : 4;
  if (typeof value === 'boolean') return value ? 4 : 5;
  return 4; // null (undefined is dropped by JSON; counting it as null only errs on the strict side)
}

/**
 * Why `metadata` is past `bounds`, or undefined. The walk is iterative and stops as soon as a bound is
 * passed, counting a lower bound of the JSON bytes as it goes: refusing 40 MiB of metadata costs about
 * `maxBytes` of work, not a JSON.stringify of 40 MiB. Only metadata found within the bound that way is
 * serialized, to measure its exact UTF-8 size.
 */
export function sessionMetadataProblem(
  metadata: Record<string, unknown>,
  bounds: SessionMetadataBounds = SESSION_METADATA_BOUNDS,
): SessionMetadataFailure | undefined {
  const tooLarge = (what: string): SessionMetadataFailure => ({
    code: 'payload_too_large',
    message: `session metadata (the keys of session_start other than ${[...SESSION_START_FIELDS].join(', ')}) ${what}`,
  });
  let keys = 0;
  for (const _key in metadata) if (++keys > bounds.maxKeys) break;
  if (keys > bounds.maxKeys) return tooLarge(`has more than ${bounds.maxKeys} keys`);

  let bytes = 0;
  const overBytes = () => bytes > bounds.maxBytes;
  const stack: { node: unknown; depth: number }[] = [{ node: metadata, depth: 1 }];
  for (let top = stack.pop(); top !== undefined && !overBytes(); top = stack.pop()) {
    const { node, depth } = top;
    if (typeof node !== 'object' || node === null) {
      bytes += scalarBytesAtLeast(node);
      continue;
    }
    if (depth > bounds.maxDepth) {
      return { code: 'validation_failed', message: `session metadata is nested deeper than ${bounds.maxDepth} levels` };
    }
    // Brackets, commas between items, quotes and a colon per key.
    bytes += 2;
    if (Array.isArray(node)) {
      bytes += Math.max(0, node.length - 1);
      if (overBytes()) break;
      for (const item of node as unknown[]) stack.push({ node: item, depth: depth + 1 });
    } else {
      let comma = 0;
      for (const key in node) {
        bytes += comma + key.length + 3;
        comma = 1;
        if (overBytes()) break;
        stack.push({ node: (node as Record<string, unknown>)[key], depth: depth + 1 });
      }
    }
  }
  if (overBytes()) return tooLarge(`takes more than ${bounds.maxBytes} bytes of JSON`);
  const exact = new TextEncoder().encode(JSON.stringify(metadata)).byteLength;
  if (exact > bounds.maxBytes) return tooLarge(`takes ${exact} bytes of JSON (at most ${bounds.maxBytes})`);
  return undefined;
}
