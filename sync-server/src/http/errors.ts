import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode, HttpErrorBody } from '@codesight/schema';
import type { Refusal } from '../refusal';

/** HTTP status for each error code, so a code means the same thing on every route. */
const STATUS_OF: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  unknown_type: 400,
  not_authenticated: 401,
  authentication_failed: 401,
  forbidden: 403,
  not_found: 404,
  unknown_session: 404,
  conflict: 409,
  sequence_mismatch: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/** The JSON body of every 4xx/5xx answer. */
export function errorBody(code: ErrorCode, message: string): HttpErrorBody {
  return { error: { code, message } };
}

/** Answers `{ "error": { code, message } }` with the status that belongs to `code`. */
export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string,
  headers?: Record<string, string>,
): Response {
  return c.json(errorBody(code, message), STATUS_OF[code], headers);
}

/** Answers a {@link Refusal} the way {@link errorResponse} answers its code and message. */
export function refusalResponse(c: Context, refusal: Refusal, headers?: Record<string, string>): Response {
  return errorResponse(c, refusal.code, refusal.message, headers);
}
