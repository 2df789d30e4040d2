import * as v from 'valibot';

/** Machine-readable error codes shared by HTTP error bodies and WebSocket `error` messages. */
export const ERROR_CODES = [
  'bad_request',
  'invalid_json',
  'validation_failed',
  'unknown_type',
  'not_authenticated',
  'authentication_failed',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'rate_limited',
  'unknown_session',
  'sequence_mismatch',
  'internal',
  'unavailable',
] as const;
export const ErrorCodeSchema = v.picklist(ERROR_CODES);
export type ErrorCode = v.InferOutput<typeof ErrorCodeSchema>;

/** Every 4xx/5xx HTTP answer: `{ "error": { "code", "message" } }`, never a stack trace. */
export const HttpErrorBodySchema = v.object({
  error: v.object({ code: ErrorCodeSchema, message: v.string() }),
});
export type HttpErrorBody = v.InferOutput<typeof HttpErrorBodySchema>;

/**
 * Codes a client must not retry unchanged: the same bytes will be refused again, so the sync engine
 * quarantines the batch and shows the reason instead of retrying forever.
 */
export const PERMANENT_ERROR_CODES: readonly ErrorCode[] = [
  'bad_request',
  'invalid_json',
  'validation_failed',
  'unknown_type',
  'forbidden',
  'payload_too_large',
  'sequence_mismatch',
];
