import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env';
import { errorResponse } from './errors';
import { BODY_CUT_OFF } from './read-body';
import { declaredLength, discardRest } from './request-body';

/** Options of {@link bodyLimit}. */
export interface BodyLimitOptions {
  /** Largest body accepted (`MAX_BODY_BYTES`). */
  maxBytes: number;
  /** How much of a refused chunked body is read and dropped so the 413 reaches the client (see drain-body.ts). */
  maxDrainBytes: number;
}

/**
 * Refuses bodies over `maxBytes` with `413 payload_too_large`, like Hono's bodyLimit but without
 * touching the body when the length is declared: Hono's opened it as a Web stream on every request,
 * which stalled the drain of any body a refusal left unread (drain-body.ts). A declared length is
 * judged from the header alone; a chunked body is read up to the bound and handed on buffered, or,
 * past the bound, read to its end (at most `maxDrainBytes`) and refused.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler<AppEnv> {
  const { maxBytes, maxDrainBytes } = options;
  const tooLarge = `request body exceeds ${maxBytes} bytes`;
  return async (c, next) => {
    const raw = c.req.raw;
    if (raw.method === 'GET' || raw.method === 'HEAD') return next();
    const declared = declaredLength(raw.headers);
    if (declared !== undefined) {
      if (declared > maxBytes) return errorResponse(c, 'payload_too_large', tooLarge);
      return next();
    }
    if (raw.body === null) return next();
    const reader: ReadableStreamDefaultReader<Uint8Array> = raw.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      let read: Awaited<ReturnType<typeof reader.read>>;
      try {
        read = await reader.read();
      } catch {
        // A chunked body that breaks off or is malformed (Node's parser aborts the request): the client's
        // fault, answered as such rather than an unhandled 500 (fuzzer finding F1).
        return errorResponse(c, 'bad_request', BODY_CUT_OFF, { Connection: 'close' });
      }
      const { done, value } = read;
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        const drained = await discardRest(reader, maxDrainBytes);
        return errorResponse(c, 'payload_too_large', tooLarge, drained ? undefined : { Connection: 'close' });
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(raw, { body });
    await next();
  };
}
