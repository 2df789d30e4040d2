import { gunzipSync } from 'node:zlib';
import type { Context } from 'hono';
import type * as v from 'valibot';
import {
  fail,
  inflatedSizeLimit,
  MAX_INFLATE_RATIO,
  ok,
  parseBoundedJson,
  validate,
  type Result,
} from '@codesight/schema';
import type { Refusal } from '../refusal';

/**
 * Reading request bodies as values: invalid JSON, a bad gzip body or a schema mismatch come back as a
 * refusal (`invalid_json`, `validation_failed`...) for the route to answer with, never as a 500.
 * Size is bounded before this by the body-limit middleware; inflating is bounded by size and ratio,
 * and the JSON text by nesting and array length before it is parsed (schema/protocol/bounded-json.ts).
 */

/** True when the body is gzip: `Content-Type: application/octet-stream` or `Content-Encoding: gzip`. */
function isGzipBody(c: Context): boolean {
  const type = c.req.header('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  const encoding = c.req.header('content-encoding')?.trim().toLowerCase();
  return type === 'application/octet-stream' || encoding === 'gzip';
}

function isOutputTooLarge(error: unknown): boolean {
  return error instanceof RangeError && (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Inflates a gzip body, stopping as soon as the output passes {@link inflatedSizeLimit}: at most
 * `maxInflatedBytes`, and at most MAX_INFLATE_RATIO times the compressed size, so a 2 KB body cannot
 * make the server build a megabyte of JSON. node:zlib, as for socket frames (~2.5x faster than fflate).
 */
function inflateBody(bytes: Uint8Array, maxInflatedBytes: number): Result<string, Refusal> {
  const limit = inflatedSizeLimit(bytes.byteLength, maxInflatedBytes);
  try {
    return ok(gunzipSync(bytes, { maxOutputLength: limit }).toString('utf8'));
  } catch (error) {
    if (!isOutputTooLarge(error)) return fail('invalid_json', 'body is not gzip-compressed JSON');
    const why =
      limit < maxInflatedBytes
        ? `${MAX_INFLATE_RATIO}x its ${bytes.byteLength} compressed bytes`
        : `the ${maxInflatedBytes} bytes allowed`;
    return fail('payload_too_large', `inflated body exceeds ${limit} bytes (${why})`);
  }
}

/** What a body cut off by its client is answered (if the client is still there to read it). */
export const BODY_CUT_OFF = 'request body ended before its declared end; send it again';

/**
 * The whole body as bytes, or `bad_request` when the client aborted it mid-way: a body that never
 * arrived is the client's problem, not an unhandled 500 in the server's log.
 */
export async function readBodyBytes(c: Context): Promise<Result<Uint8Array, Refusal>> {
  try {
    return ok(new Uint8Array(await c.req.arrayBuffer()));
  } catch {
    return fail('bad_request', BODY_CUT_OFF);
  }
}

/** The whole body as UTF-8 text; see {@link readBodyBytes}. */
async function readBodyText(c: Context): Promise<Result<string, Refusal>> {
  try {
    return ok(await c.req.text());
  } catch {
    return fail('bad_request', BODY_CUT_OFF);
  }
}

/** The body as parsed JSON; gzip-compressed bodies are inflated first (see {@link inflateBody}). */
export async function readJsonBody(c: Context, maxInflatedBytes: number): Promise<Result<unknown, Refusal>> {
  let text: string;
  if (isGzipBody(c)) {
    const bytes = await readBodyBytes(c);
    if (!bytes.ok) return bytes;
    const inflated = inflateBody(bytes.value, maxInflatedBytes);
    if (!inflated.ok) return inflated;
    text = inflated.value;
  } else {
    const read = await readBodyText(c);
    if (!read.ok) return read;
    text = read.value;
    if (text.trim() === '') return fail('invalid_json', 'request body is empty; expected JSON');
  }
  const parsed = parseBoundedJson(text);
  if (parsed.ok) return parsed;
  const { code, message } = parsed.error;
  return fail(code, code === 'invalid_json' ? 'request body is not valid JSON' : `request body: ${message}`);
}

/** The body validated against `schema`. */
export async function readValidBody<S extends v.GenericSchema>(
  c: Context,
  schema: S,
  maxInflatedBytes: number,
): Promise<Result<v.InferOutput<S>, Refusal>> {
  const body = await readJsonBody(c, maxInflatedBytes);
  if (!body.ok) return body;
  const checked = validate(schema, body.value);
  if (!checked.ok) return fail('validation_failed', checked.error.message);
  return ok(checked.value);
}

/** Validates query parameters (all strings) against `schema`. */
export function readValidQuery<S extends v.GenericSchema>(c: Context, schema: S): Result<v.InferOutput<S>, Refusal> {
  const checked = validate(schema, c.req.query());
  if (!checked.ok) return fail('bad_request', checked.error.message);
  return ok(checked.value);
}
