import { HttpErrorBodySchema, PERMANENT_ERROR_CODES, validate, type ErrorCode } from '@codesight/schema';
import { parseJsonBody } from './media-http';
import { retry, type ItemQuarantine, type ItemRetry, type Refusal } from './media-item-outcome';

/**
 * Codes that quarantine an item. The shared permanent list, plus `conflict`: for an upload it means the
 * item's id is already used by another session on the server, which no resend of the same item changes.
 */
export const QUARANTINE_CODES: readonly ErrorCode[] = [...PERMANENT_ERROR_CODES, 'conflict'];

/** Longest excerpt of a non-API error body kept in a message: enough for S3's `<Code>`, short enough to show. */
const EXCERPT_CHARS = 200;

/** Reads a non-2xx answer: the API's `{ error: { code, message } }`, else an excerpt of whatever came back. */
export function readRefusal(status: number, text: string): Refusal {
  const body = validate(HttpErrorBodySchema, parseJsonBody(text));
  if (body.ok) return { status, code: body.value.error.code, message: body.value.error.message };
  const excerpt = text.trim().replace(/\s+/g, ' ').slice(0, EXCERPT_CHARS);
  return { status, message: excerpt ? `HTTP ${status}: ${excerpt}` : `HTTP ${status}` };
}

/** Retry or quarantine for a refusal of the step `what`; 401, 429 and 5xx are never the item's fault. */
export function classifyRefusal(refusal: Refusal, what: string): ItemQuarantine | ItemRetry {
  const code = refusal.code ?? `http_${refusal.status}`;
  const message = `${what}: ${refusal.message}`;
  if (refusal.status === 401 || refusal.status === 429 || refusal.status >= 500) return retry(code, message);
  if (refusal.code && QUARANTINE_CODES.includes(refusal.code))
    return { kind: 'quarantine', code: refusal.code, reason: message };
  return retry(code, message);
}
