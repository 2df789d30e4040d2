import { gunzipSync } from 'node:zlib';
import {
  err,
  inflatedSizeLimit,
  MAX_INFLATE_RATIO,
  ok,
  parseBoundedJson,
  type ErrorCode,
  type Result,
} from '@codesight/schema';
import type { WSMessageReceive } from 'hono/ws';
import type { Refusal } from '../refusal';

/** A client message: a JSON object with a string `type` (its fields are checked by its handler). */
export type ClientMessage = Record<string, unknown> & { type: string };

/** A decoded frame, and the size of its JSON text (what holding it costs until it is handled). */
export interface DecodedFrame {
  message: ClientMessage;
  jsonBytes: number;
}

/** Why a frame was refused, and how much JSON text was decoded before that was clear. */
export interface FrameRefusal extends Refusal {
  jsonBytes: number;
}

/** {@link decodeFrame}'s answer. */
export type FrameDecoding = Result<DecodedFrame, FrameRefusal>;

/** Bytes a frame takes as received (before inflating): what the in-flight bound counts. */
export function frameSize(data: WSMessageReceive): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (data instanceof Blob) return data.size;
  return data.byteLength;
}

/** The JSON text size a decoding holds, whichever way it went. */
export function jsonBytesOf(decoding: FrameDecoding): number {
  return decoding.ok ? decoding.value.jsonBytes : decoding.error.jsonBytes;
}

function refuse(code: ErrorCode, message: string, jsonBytes: number): FrameDecoding {
  return err({ code, message, jsonBytes });
}

/**
 * The JSON of a frame, parsed with the HTTP bodies' bounds (depth, array length: schema's
 * parseBoundedJson), so a message costs the same on either transport; `notJson` names the frame kind.
 */
function parseFrameJson(text: string, notJson: string, jsonBytes: number): Result<unknown, FrameRefusal> {
  const parsed = parseBoundedJson(text);
  if (parsed.ok) return parsed;
  const { code, message } = parsed.error;
  return err({ code, message: code === 'invalid_json' ? notJson : `frame: ${message}`, jsonBytes });
}

function isOutputTooLarge(error: unknown): boolean {
  return error instanceof RangeError && (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

/**
 * Decodes one WebSocket frame: a text frame is JSON, a binary frame the codec's gzip JSON
 * (schema/protocol/codec.ts) inflated to at most `maxInflatedBytes`. Either is parsed within the bounds
 * of an HTTP body (`validation_failed` past them). Anything else, or JSON that is not an object with a
 * string `type`, is refused with the code the client gets back.
 */
export function decodeFrame(data: WSMessageReceive, maxInflatedBytes: number): FrameDecoding {
  let value: unknown;
  let jsonBytes = 0;
  if (typeof data === 'string') {
    jsonBytes = Buffer.byteLength(data, 'utf8');
    const parsed = parseFrameJson(data, 'text frame is not valid JSON', jsonBytes);
    if (!parsed.ok) return parsed;
    value = parsed.value;
  } else if (data instanceof Blob) {
    // The node adapter delivers ArrayBuffers; a Blob would mean another runtime.
    return refuse('bad_request', 'unsupported binary frame', jsonBytes);
  } else {
    // node:zlib is ~2.5x faster than fflate here, and maxOutputLength stops inflating a "zip bomb" as
    // soon as it passes the bound: maxInflatedBytes, and MAX_INFLATE_RATIO x the frame's size.
    const frame = new Uint8Array(data as ArrayBuffer);
    const limit = inflatedSizeLimit(frame.byteLength, maxInflatedBytes);
    let text: Buffer;
    try {
      text = gunzipSync(frame, { maxOutputLength: limit });
    } catch (error) {
      if (isOutputTooLarge(error)) {
        const ratio = limit < maxInflatedBytes ? ` (${MAX_INFLATE_RATIO}x its ${frame.byteLength} bytes)` : '';
        return refuse('payload_too_large', `inflated frame exceeds ${limit} bytes${ratio}`, jsonBytes);
      }
      return refuse('invalid_json', 'binary frame is not gzip-compressed JSON', jsonBytes);
    }
    jsonBytes = text.length;
    const parsed = parseFrameJson(text.toString('utf8'), 'binary frame is not gzip-compressed JSON', jsonBytes);
    if (!parsed.ok) return parsed;
    value = parsed.value;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse('bad_request', 'a message must be a JSON object', jsonBytes);
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return refuse('bad_request', 'a message needs a string "type"', jsonBytes);
  return ok({ message: value as ClientMessage, jsonBytes });
}
