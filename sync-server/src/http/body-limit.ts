import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env';
import { errorResponse } from './errors';
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
      const { done, value } = await reader.read();
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
