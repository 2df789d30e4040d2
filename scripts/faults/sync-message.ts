import { decodeCompressed } from '@codesight/schema';

/** What a proxy needs to know about one sync message to count it and to react to it. */
export interface MessageSummary {
  /** The message's `type`, or `unreadable` for a frame that is neither JSON nor gzip JSON. */
  type: string;
  batchId?: string;
  sessionId?: string;
  /** The decoded message itself, for tests that look closer (acks: inserted, duplicates, ackedThrough). */
  message?: Record<string, unknown>;
}

/** A sync message inflates to a few MiB at most; this only bounds a corrupt frame. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/**
 * Reads a WebSocket frame or an HTTP body the way the server does: text is JSON, binary is gzip JSON
 * (schema/protocol/codec.ts). Never throws: an unreadable frame is reported as such and still relayed.
 */
export function summarizeMessage(data: Buffer, binary: boolean): MessageSummary {
  let parsed: unknown;
  try {
    parsed = binary
      ? decodeCompressed(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), MAX_INFLATED_BYTES)
      : JSON.parse(data.toString('utf8'));
  } catch {
    return { type: 'unreadable' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { type: 'unreadable' };
  const message = parsed as Record<string, unknown>;
  const summary: MessageSummary = { type: typeof message.type === 'string' ? message.type : 'untyped', message };
  if (typeof message.batchId === 'string') summary.batchId = message.batchId;
  if (typeof message.sessionId === 'string') summary.sessionId = message.sessionId;
  return summary;
}

/** Whether an HTTP body is gzip (the batch twin's `application/octet-stream`) rather than JSON text. */
export function isBinaryBody(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/octet-stream';
}
