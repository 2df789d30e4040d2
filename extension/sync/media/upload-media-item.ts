import {
  HttpErrorBodySchema,
  PERMANENT_ERROR_CODES,
  UploadCompleteReplySchema,
  UploadUrlReplySchema,
  validate,
  type ErrorCode,
  type UploadRequest,
  type UploadUrlReply,
} from '@codesight/schema';
import type { GenericSchema, InferOutput } from 'valibot';
import type { Clock } from '@codesight/schema';
import type { MediaItem, MediaQuarantineCode } from './media-store';

/** How the uploader reaches the server. */
export interface MediaHttp {
  /** `https://host[:port][/prefix]`, no trailing slash. */
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  clock: Clock;
  /** Bound on one API request (`/url`, `/complete`); the PUT gets more, by size. */
  requestTimeoutMs: number;
}

/** What became of one item in one run. */
export type MediaItemOutcome =
  /** The server recorded it. `created` false: it already had the row (a repeat); `bytesSent` 0: it had the bytes. */
  | { kind: 'uploaded'; created: boolean; bytesSent: number }
  /** Refused for good: keep it, stop trying, show the reason. */
  | { kind: 'quarantine'; code: MediaQuarantineCode; reason: string }
  /** Transient (network, 5xx, 429, authentication): stop the run and try again after a backoff. */
  | { kind: 'retry'; code: string; message: string };

/**
 * Codes that quarantine an item. The shared permanent list, plus `conflict`: for an upload it means the
 * item's id is already used by another session on the server, which no resend of the same item changes.
 */
const QUARANTINE_CODES: readonly ErrorCode[] = [...PERMANENT_ERROR_CODES, 'conflict'];

/**
 * Time for the bytes of a PUT on top of the request timeout: 1 s per 64 KiB, i.e. the PUT fails only
 * below ~0.5 Mbit/s sustained. A 5 MB full-HD screenshot then gets ~110 s, a 40 KB audio chunk ~31 s.
 */
const PUT_BYTES_PER_SECOND = 64 * 1024;

/** The `POST /api/upload/url` / `complete` body for an item whose verified bytes are `bytes` long. */
export function uploadRequestFor(item: MediaItem, bytes: number): UploadRequest {
  const common = { sha256: item.row.sha256, bytes, mime: item.row.mime, sessionId: item.row.sessionId };
  if (item.kind === 'audio') {
    const { id, chunkIndex, startTime, durationMs } = item.row;
    return { ...common, kind: 'audio', meta: { id, chunkIndex, startTime, durationMs } };
  }
  const { id, timestamp, width, height, burstId, burstIndex, burstTotal, trigger, triggerSequence, compressionRatio } =
    item.row;
  const meta = {
    id,
    timestamp,
    width,
    height,
    burstId,
    burstIndex,
    burstTotal,
    trigger,
    triggerSequence,
    compressionRatio,
  };
  return { ...common, kind: 'screenshot', meta };
}

type Answer = { ok: true; status: number; text: string } | { ok: false; code: 'network' | 'timeout'; message: string };

/** One request, bounded in time (body included); never throws. `what` names the target without secrets. */
async function send(http: MediaHttp, url: string, init: RequestInit, timeoutMs: number, what: string): Promise<Answer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = http.clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const res = await http.fetch(url, { ...init, signal: controller.signal });
    return { ok: true, status: res.status, text: await res.text() };
  } catch (err) {
    if (timedOut)
      return { ok: false, code: 'timeout', message: `${what}: no answer within ${Math.round(timeoutMs / 1000)} s` };
    return { ok: false, code: 'network', message: `${what}: ${(err as Error).message}` };
  } finally {
    http.clock.clearTimeout(timer);
  }
}

/** A refusal as the API states it: the status, and its `{ error: { code, message } }` when there is one. */
interface Refusal {
  status: number;
  code?: ErrorCode;
  message: string;
}

function refusalOf(status: number, text: string): Refusal {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: a proxy's HTML page or S3's XML; the first line says enough.
  }
  const body = validate(HttpErrorBodySchema, json);
  if (body.ok) return { status, code: body.value.error.code, message: body.value.error.message };
  const excerpt = text.trim().replace(/\s+/g, ' ').slice(0, 200);
  return { status, message: excerpt ? `HTTP ${status}: ${excerpt}` : `HTTP ${status}` };
}

/** Retry or quarantine for an API refusal; 401, 429 and 5xx are never the item's fault. */
function classify(refusal: Refusal, what: string): MediaItemOutcome {
  const code = refusal.code ?? `http_${refusal.status}`;
  const message = `${what}: ${refusal.message}`;
  if (refusal.status === 401 || refusal.status === 429 || refusal.status >= 500)
    return { kind: 'retry', code, message };
  if (refusal.code && QUARANTINE_CODES.includes(refusal.code))
    return { kind: 'quarantine', code: refusal.code, reason: message };
  return { kind: 'retry', code, message };
}

type Posted<T> = { ok: true; value: T } | { ok: false; refusal?: Refusal; outcome: MediaItemOutcome };

async function postJson<S extends GenericSchema>(
  http: MediaHttp,
  path: string,
  body: unknown,
  reply: S,
): Promise<Posted<InferOutput<S>>> {
  const what = `POST ${path}`;
  const answer = await send(
    http,
    `${http.baseUrl}${path}`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${http.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    },
    http.requestTimeoutMs,
    what,
  );
  if (!answer.ok) return { ok: false, outcome: { kind: 'retry', code: answer.code, message: answer.message } };
  if (answer.status >= 200 && answer.status < 300) {
    let json: unknown;
    try {
      json = JSON.parse(answer.text);
    } catch {
      // Falls through to the validation message below.
    }
    const parsed = validate(reply, json);
    if (parsed.ok) return { ok: true, value: parsed.value };
    // A 2xx that is not our API (a captive portal, a misconfigured proxy): the network's fault, not the item's.
    return {
      ok: false,
      outcome: { kind: 'retry', code: 'bad_reply', message: `${what}: unexpected answer (${parsed.error.message})` },
    };
  }
  const refusal = refusalOf(answer.status, answer.text);
  return { ok: false, refusal, outcome: classify(refusal, what) };
}

type Put = { ok: true } | { ok: false; refusal?: Refusal; outcome: MediaItemOutcome };

/** PUTs the bytes where the server said, with its headers only: never the API key (it may be S3). */
async function putBytes(
  http: MediaHttp,
  grant: Extract<UploadUrlReply, { alreadyExists: false }>,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Put> {
  // Named by host only: the URL itself is a credential (a presigned query, or the upload id in the path).
  let host = 'the upload URL';
  try {
    host = `PUT ${new URL(grant.url).host}`;
  } catch {
    return {
      ok: false,
      outcome: { kind: 'retry', code: 'bad_reply', message: 'the server handed out an invalid upload URL' },
    };
  }
  const timeoutMs = http.requestTimeoutMs + Math.ceil(bytes.byteLength / PUT_BYTES_PER_SECOND) * 1000;
  const answer = await send(
    http,
    grant.url,
    { method: grant.method, headers: grant.headers, body: bytes },
    timeoutMs,
    host,
  );
  if (!answer.ok) return { ok: false, outcome: { kind: 'retry', code: answer.code, message: answer.message } };
  if (answer.status >= 200 && answer.status < 300) return { ok: true };
  const refusal = refusalOf(answer.status, answer.text);
  return { ok: false, refusal, outcome: classify(refusal, host) };
}

/**
 * Uploads one item whose local bytes were verified against `request.sha256`: asks for an upload URL,
 * PUTs the bytes unless the server has them, then completes. A URL that stopped working (expired:
 * 404 from the server's route, 403 from S3) or an object the server found missing or wrong at
 * completion earns one fresh start with a new URL; a second such failure is a retry (or, for bytes
 * refused as invalid, a quarantine). Never throws.
 */
export async function uploadMediaItem(
  http: MediaHttp,
  request: UploadRequest,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<MediaItemOutcome> {
  let freshStarts = 1;
  for (;;) {
    const grant = await postJson(http, '/api/upload/url', request, UploadUrlReplySchema);
    if (!grant.ok) return grant.outcome;
    let bytesSent = 0;
    let uploadId: string | undefined;
    if (!grant.value.alreadyExists) {
      const put = await putBytes(http, grant.value, bytes);
      if (!put.ok) {
        const status = put.refusal?.status ?? 0;
        const urlRefused = status >= 400 && status < 500 && status !== 429 && status !== 401;
        if (urlRefused && freshStarts-- > 0) continue;
        if (urlRefused && (status === 400 || status === 413) && put.outcome.kind === 'retry') {
          // Not our API's error body (S3 XML): refused twice with fresh URLs, so the bytes are the problem.
          return { kind: 'quarantine', code: 'upload_refused', reason: put.outcome.message };
        }
        return put.outcome;
      }
      bytesSent = bytes.byteLength;
      uploadId = grant.value.uploadId;
    }
    const done = await postJson(http, '/api/upload/complete', { ...request, uploadId }, UploadCompleteReplySchema);
    if (done.ok) return { kind: 'uploaded', created: done.value.created, bytesSent };
    // not_found: the object is gone (or never arrived); validation_failed after a granted URL: the stored
    // object did not match and the server removed it. Either way, upload again.
    const code = done.refusal?.code;
    if ((code === 'not_found' || code === 'validation_failed') && freshStarts-- > 0) continue;
    if (code === 'not_found') return { kind: 'retry', code, message: done.refusal!.message };
    return done.outcome;
  }
}

/** Lower-case hex SHA-256 of `bytes` (WebCrypto: the service worker and Node 20 both have it). */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
