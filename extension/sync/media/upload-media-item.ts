import {
  err,
  ok,
  UploadCompleteReplySchema,
  UploadUrlReplySchema,
  validate,
  type Result,
  type UploadRequest,
  type UploadUrlReply,
} from '@codesight/schema';
import type { GenericSchema, InferOutput } from 'valibot';
import { classifyRefusal, readRefusal } from './classify-refusal';
import { afterCompleteFailure, afterPutFailure } from './fresh-start-policy';
import { isSuccessStatus, parseJsonBody, sendBounded, type MediaHttp } from './media-http';
import { retry, type MediaItemOutcome, type StepFailure } from './media-item-outcome';

/**
 * Time for the bytes of a PUT on top of the request timeout: 1 s per 64 KiB, i.e. the PUT fails only
 * below ~0.5 Mbit/s sustained. A 5 MB full-HD screenshot then gets ~110 s, a 40 KB audio chunk ~31 s.
 */
const PUT_BYTES_PER_SECOND = 64 * 1024;

/** A POST to the server's API with the API key, its 2xx answer validated against `reply`. */
async function postJson<S extends GenericSchema>(
  http: MediaHttp,
  path: string,
  body: unknown,
  reply: S,
): Promise<Result<InferOutput<S>, StepFailure>> {
  const what = `POST ${path}`;
  const answer = await sendBounded(
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
  if (!answer.ok) return err({ outcome: retry(answer.error.code, answer.error.message) });
  const { status, text } = answer.value;
  if (isSuccessStatus(status)) {
    const parsed = validate(reply, parseJsonBody(text));
    if (parsed.ok) return ok(parsed.value);
    // A 2xx that is not our API (a captive portal, a misconfigured proxy): the network's fault, not the item's.
    return err({ outcome: retry('bad_reply', `${what}: unexpected answer (${parsed.error.message})`) });
  }
  const refusal = readRefusal(status, text);
  return err({ refusal, outcome: classifyRefusal(refusal, what) });
}

/** The host of an upload URL, or undefined when the server handed out something that is not a URL. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** PUTs the bytes where the server said, with its headers only: never the API key (it may be S3). */
async function putBytes(
  http: MediaHttp,
  grant: Extract<UploadUrlReply, { alreadyExists: false }>,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Result<undefined, StepFailure>> {
  const host = hostOf(grant.url);
  if (host === undefined) return err({ outcome: retry('bad_reply', 'the server handed out an invalid upload URL') });
  // Named by host only: the URL itself is a credential (a presigned query, or the upload id in the path).
  const what = `PUT ${host}`;
  const timeoutMs = http.requestTimeoutMs + Math.ceil(bytes.byteLength / PUT_BYTES_PER_SECOND) * 1000;
  const answer = await sendBounded(
    http,
    grant.url,
    { method: grant.method, headers: grant.headers, body: bytes },
    timeoutMs,
    what,
  );
  if (!answer.ok) return err({ outcome: retry(answer.error.code, answer.error.message) });
  if (isSuccessStatus(answer.value.status)) return ok();
  const refusal = readRefusal(answer.value.status, answer.value.text);
  return err({ refusal, outcome: classifyRefusal(refusal, what) });
}

/**
 * Uploads one item whose local bytes were verified against `request.sha256`: asks for an upload URL,
 * PUTs the bytes unless the server has them, then completes. A URL that stopped working or an object
 * the server found missing or wrong at completion earns one fresh start with a new URL (see
 * `fresh-start-policy.ts`). Never throws.
 */
export async function uploadMediaItem(
  http: MediaHttp,
  request: UploadRequest,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<MediaItemOutcome> {
  let freshStartLeft = true;
  for (;;) {
    const grant = await postJson(http, '/api/upload/url', request, UploadUrlReplySchema);
    if (!grant.ok) return grant.error.outcome;
    let bytesSent = 0;
    let uploadId: string | undefined;
    if (!grant.value.alreadyExists) {
      const put = await putBytes(http, grant.value, bytes);
      if (!put.ok) {
        const next = afterPutFailure(put.error, freshStartLeft);
        if (next.kind === 'settle') return next.outcome;
        freshStartLeft = false;
        continue;
      }
      bytesSent = bytes.byteLength;
      uploadId = grant.value.uploadId;
    }
    const done = await postJson(http, '/api/upload/complete', { ...request, uploadId }, UploadCompleteReplySchema);
    if (done.ok) return { kind: 'uploaded', created: done.value.created, bytesSent };
    const next = afterCompleteFailure(done.error, freshStartLeft);
    if (next.kind === 'settle') return next.outcome;
    freshStartLeft = false;
  }
}
