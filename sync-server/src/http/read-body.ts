import type { Context } from 'hono';
import type * as v from 'valibot';
import { decodeCompressed, fail, InflateLimitError, ok, validate, type Result } from '@codesight/schema';
import type { Refusal } from '../refusal';

/**
 * Reading request bodies as values: invalid JSON, a bad gzip body or a schema mismatch come back as a
 * refusal (`invalid_json`, `validation_failed`...) for the route to answer with, never as a 500.
 * Size is bounded before this by the body-limit middleware.
 */

/** True when the body is gzip: `Content-Type: application/octet-stream` or `Content-Encoding: gzip`. */
function isGzipBody(c: Context): boolean {
  const type = c.req.header('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  const encoding = c.req.header('content-encoding')?.trim().toLowerCase();
  return type === 'application/octet-stream' || encoding === 'gzip';
}

/** The body as parsed JSON; gzip-compressed bodies are inflated (at most `maxInflatedBytes`) first. */
export async function readJsonBody(c: Context, maxInflatedBytes: number): Promise<Result<unknown, Refusal>> {
  if (isGzipBody(c)) {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    try {
      return ok(decodeCompressed(bytes, maxInflatedBytes));
    } catch (err) {
      if (err instanceof InflateLimitError)
        return fail('payload_too_large', `inflated body exceeds ${maxInflatedBytes} bytes`);
      return fail('invalid_json', 'body is not gzip-compressed JSON');
    }
  }
  const text = await c.req.text();
  if (text.trim() === '') return fail('invalid_json', 'request body is empty; expected JSON');
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail('invalid_json', 'request body is not valid JSON');
  }
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
