import { err, ok, type Failure, type Result } from '@codesight/schema';
import * as v from 'valibot';

/**
 * A client of an OpenAI-compatible chat completions API (`POST {base}/chat/completions`) that asks a
 * vision model about one image. Every answer is bounded (bytes read, then text kept) and checked with
 * valibot before use; every failure says whether a later retry can change it. The API key goes in the
 * Authorization header only, and is cut out of any error text the endpoint echoes back.
 */

/** Most bytes of an answer read: a chat completion of a few hundred tokens is ~2 KiB of JSON. */
export const MAX_RESPONSE_BYTES = 256 * 1024;
/** Most characters of an answer's text kept; the prompt asks for ~120 words (under 1,000). */
export const MAX_ANALYSIS_CHARS = 4000;
/** Tokens the model may answer with: room for the four lines, a stop for a model that rambles. */
const MAX_ANSWER_TOKENS = 400;
/** Longest error text kept from the endpoint (it lands in the job's last_error). */
const MAX_ERROR_CHARS = 300;

/** Token counts as the endpoint reports them. */
export interface VisionUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** The model's answer about one image. */
export interface VisionAnswer {
  /** Plain text, at most {@link MAX_ANALYSIS_CHARS}. */
  text: string;
  /** True when the text was cut to fit. */
  truncated: boolean;
  /** The model the endpoint says answered (often a dated name of the one asked for); null when unsaid. */
  servedModel: string | null;
  /** Null when the endpoint reports none (some compatible servers do not). */
  usage: VisionUsage | null;
}

/** Why no answer: `retryable` failures (429, 5xx, network, timeout) may succeed later; others will not. */
export interface VisionFailure extends Failure {
  retryable: boolean;
  /** The HTTP status, when the endpoint answered. */
  status?: number;
  /** The endpoint's Retry-After, when it sent one (seconds or an HTTP date), in ms from now. */
  retryAfterMs?: number;
}

/** One image to ask about. */
export interface VisionRequest {
  image: Uint8Array;
  /** `image/png`, `image/jpeg`, `image/webp` or `image/gif`: what the API takes as a data URL. */
  mime: string;
  prompt: string;
  /** Aborts the request (the job's attempt ended). */
  signal?: AbortSignal;
}

/** Asks a vision model about images. */
export interface VisionClient {
  /** The model asked for (VISION_MODEL). */
  readonly model: string;
  describe(request: VisionRequest): Promise<Result<VisionAnswer, VisionFailure>>;
}

/** Where and how the client calls. */
export interface VisionClientOptions {
  /** Base URL without trailing slash, e.g. `https://api.openai.com/v1`. */
  apiUrl: string;
  apiKey: string;
  model: string;
  /** One request's limit, the whole answer read included. */
  timeoutMs: number;
}

/** Image types the OpenAI vision input accepts. */
export const VISION_IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

const TokenCount = v.pipe(v.number(), v.integer(), v.minValue(0));

/** The parts of a chat completion read here; everything else in it is ignored. */
const ChatCompletionSchema = v.object({
  model: v.nullish(v.string()),
  choices: v.pipe(
    v.array(
      v.object({
        message: v.object({ content: v.nullish(v.string()), refusal: v.nullish(v.string()) }),
      }),
    ),
    v.minLength(1, 'no choices'),
  ),
  usage: v.nullish(v.object({ prompt_tokens: TokenCount, completion_tokens: TokenCount, total_tokens: TokenCount })),
});

/** The error body OpenAI and most compatible servers send. */
const ApiErrorSchema = v.object({ error: v.object({ message: v.string() }) });

/** 408 and 409 (OpenAI's "try again") and 425, 429 and 5xx pass; other 4xx are the request's own fault. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

const failure = (code: string, message: string, retryable: boolean, status?: number, retryAfterMs?: number) =>
  err<VisionFailure>({
    code,
    message,
    retryable,
    ...(status !== undefined && { status }),
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });

/** `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110's preferred HTTP date). */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Retry-After in ms from now: delta-seconds or an HTTP date (RFC 9110); undefined when absent or
 * unreadable. How long is honoured is the job's business (its backoff caps it).
 */
export function retryAfterMsOf(header: string | null, now = Date.now()): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  // Only the IMF-fixdate servers send: Date.parse alone takes "-5" for a year.
  if (!IMF_FIXDATE.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The body, or null when it is larger than `cap` bytes (said by Content-Length, or found while reading:
 * the reading stops there and the connection is released).
 */
async function readCapped(response: Response, cap: number): Promise<Uint8Array | null> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await response.body?.cancel().catch(() => {});
    return null;
  }
  if (!response.body) return new Uint8Array(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const pieces: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => {});
      return null;
    }
    pieces.push(value);
  }
  return Buffer.concat(pieces, total);
}

/** Creates the client. Nothing is sent until {@link VisionClient.describe}. */
export function createVisionClient(options: VisionClientOptions): VisionClient {
  const endpoint = `${options.apiUrl}/chat/completions`;
  // An endpoint may echo the key back in an error ("Incorrect API key provided: sk-..."): never keep it.
  const clean = (text: string) => text.split(options.apiKey).join('[key]').slice(0, MAX_ERROR_CHARS);

  const describe = async (request: VisionRequest): Promise<Result<VisionAnswer, VisionFailure>> => {
    if (!VISION_IMAGE_TYPES.includes(request.mime))
      return failure('unsupported_image', `image type ${request.mime.slice(0, 64)} is not one the API takes`, false);
    const body = JSON.stringify({
      model: options.model,
      max_tokens: MAX_ANSWER_TOKENS,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: request.prompt },
            {
              type: 'image_url',
              image_url: { url: `data:${request.mime};base64,${Buffer.from(request.image).toString('base64')}` },
            },
          ],
        },
      ],
    });
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let response: Response;
    let bytes: Uint8Array | null;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body,
        signal,
        redirect: 'error',
      });
      bytes = await readCapped(response, MAX_RESPONSE_BYTES);
    } catch (error) {
      if (request.signal?.aborted) return failure('aborted', 'the request was cancelled', true);
      if (timeout.aborted) return failure('timeout', `no complete answer within ${options.timeoutMs} ms`, true);
      const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause : error) : undefined;
      return failure('network', clean(`could not reach the vision endpoint: ${cause?.message ?? String(error)}`), true);
    }
    const status = response.status;
    if (bytes === null)
      return failure('response_too_large', `answer larger than ${MAX_RESPONSE_BYTES} bytes`, false, status);
    const text = new TextDecoder().decode(bytes);

    if (!response.ok) {
      let detail = '';
      try {
        const parsed = v.safeParse(ApiErrorSchema, JSON.parse(text));
        if (parsed.success) detail = `: ${parsed.output.error.message}`;
      } catch {
        // Not JSON (a proxy's HTML page): the status says enough.
      }
      const retryAfterMs = retryAfterMsOf(response.headers.get('retry-after'));
      const wait = retryAfterMs === undefined ? '' : ` (retry after ${Math.ceil(retryAfterMs / 1000)} s)`;
      const code = status === 429 ? 'rate_limited' : status === 401 || status === 403 ? 'unauthorized' : 'http_error';
      const message = clean(`vision endpoint answered ${status}${detail}${wait}`);
      return failure(code, message, isRetryableStatus(status), status, retryAfterMs);
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return failure('bad_response', 'the answer is not JSON', false, status);
    }
    const parsed = v.safeParse(ChatCompletionSchema, json);
    if (!parsed.success)
      return failure(
        'bad_response',
        clean(`the answer is not a chat completion: ${v.summarize(parsed.issues).split('\n')[0] ?? ''}`),
        false,
        status,
      );
    const { message } = parsed.output.choices[0]!;
    // A model that declines answers in `refusal` (OpenAI) instead of `content`: that is an answer too.
    const answer = message.content ?? (message.refusal == null ? null : `(refused) ${message.refusal}`);
    if (answer === null || answer.trim() === '')
      return failure('bad_response', 'the answer holds no text', false, status);
    const usage = parsed.output.usage;
    return ok({
      text: answer.slice(0, MAX_ANALYSIS_CHARS),
      truncated: answer.length > MAX_ANALYSIS_CHARS,
      servedModel: parsed.output.model?.slice(0, 128) ?? null,
      usage: usage
        ? {
            promptTokens: usage.prompt_tokens,
            completionTokens: usage.completion_tokens,
            totalTokens: usage.total_tokens,
          }
        : null,
    });
  };

  return { model: options.model, describe };
}
