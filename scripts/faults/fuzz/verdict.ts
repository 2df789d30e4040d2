import {
  BatchMessageSchema,
  InteractionDataMessageSchema,
  jsonTextProblem,
  MESSAGE_JSON_BOUNDS,
  ResumeMessageSchema,
  ScreenshotDataMessageSchema,
  SessionCloseMessageSchema,
  SessionEndMessageSchema,
  SessionStartMessageSchema,
  UploadRequestSchema,
  validate,
} from '@codesight/schema';
import type * as v from 'valibot';
import type { Expectation } from './fuzz-case';
import type { Target } from './generate';

/**
 * What the server must do with a (mutated) message, decided by the schemas in schema/ that the
 * server validates with: a message they refuse must be refused; one they accept may still be refused
 * for what only the server knows (ownership, a missing upload), but never fail.
 */

const SCHEMA: Record<string, v.GenericSchema> = {
  batch: BatchMessageSchema,
  resume: ResumeMessageSchema,
  session_close: SessionCloseMessageSchema,
  session_start: SessionStartMessageSchema,
  interaction_data: InteractionDataMessageSchema,
  screenshot_data: ScreenshotDataMessageSchema,
  session_end: SessionEndMessageSchema,
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The message the server builds from an HTTP body (sync-server/src/routes/*.ts), or why it refuses it. */
function serverView(target: Target, body: unknown, pathSessionId: string | undefined): unknown {
  if (!isObject(body)) return undefined;
  switch (target) {
    case 'http:batch':
    case 'http:resume':
    case 'http:session-close': {
      const type = { 'http:batch': 'batch', 'http:resume': 'resume', 'http:session-close': 'session_close' }[target];
      const message = { type, ...body };
      return message.type === type ? message : undefined;
    }
    case 'http:sessions':
      return { ...body, type: 'session_start' };
    case 'http:interactions':
      return { type: 'interaction_data', sessionId: body.sessionId, data: body.data ?? body.interactions };
    case 'http:screenshots':
      return { ...body, type: 'screenshot_data', sessionId: pathSessionId };
    default:
      return body;
  }
}

/** Whether the server's schemas accept `value` as a message for `target`. */
function schemaAccepts(target: Target, value: unknown, maxBodyBytes: number): boolean {
  if (target === 'http:upload-url' || target === 'http:upload-complete') {
    const upload = validate(UploadRequestSchema, value);
    return upload.ok && upload.value.bytes <= maxBodyBytes;
  }
  if (!isObject(value) || typeof value.type !== 'string') return false;
  // On a socket the message's own type picks the handler (and its schema), whatever it was meant to be.
  const schema = Object.hasOwn(SCHEMA, value.type) ? SCHEMA[value.type] : undefined;
  return schema !== undefined && validate(schema, value).ok;
}

/**
 * `refuse` when the server must refuse `text` sent as a message for `target` (not JSON, too deep or
 * wide, or refused by its schema), `any` when the schema accepts it.
 */
export function expectationFor(
  target: Target,
  text: string,
  options: { maxBodyBytes: number; pathSessionId?: string },
): Expectation {
  if (jsonTextProblem(text, MESSAGE_JSON_BOUNDS)) return 'refuse';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'refuse';
  }
  const value = target.startsWith('http:') ? serverView(target, parsed, options.pathSessionId) : parsed;
  if (value === undefined) return 'refuse';
  return schemaAccepts(target, value, options.maxBodyBytes) ? 'any' : 'refuse';
}
