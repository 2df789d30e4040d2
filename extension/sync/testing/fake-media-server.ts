import { createHash } from 'node:crypto';
import { UploadRequestSchema, validate, type ErrorCode, type UploadRequest } from '@codesight/schema';

/** A step of the upload flow, as the fake counts and faults them. */
export type UploadStep = 'url' | 'put' | 'complete';

/**
 * What an injected fault does: `network` rejects like an unreachable host, `hang` never answers (until
 * the caller aborts), a status answers with that status and an API error body when `code` is given.
 */
export type FaultAnswer = 'network' | 'hang' | { status: number; code?: ErrorCode; message?: string; text?: string };

/** A scripted fault: the next `times` requests of `step` get `answer`. */
export interface Fault {
  step: UploadStep;
  answer: FaultAnswer;
  times?: number;
  /**
   * `before` (default): the request never reaches the server. `after`: the server does its work, then the
   * answer is replaced (lost) — a complete that was recorded although the client saw it fail.
   */
  phase?: 'before' | 'after';
}

/** A media row the fake recorded, as `POST /api/upload/complete` would. */
export interface FakeMediaRow {
  kind: UploadRequest['kind'];
  id: string;
  sessionId: string;
  sha256: string;
  bytes: number;
  mime: string;
  meta: UploadRequest['meta'];
}

/** One request the fake received (headers lower-cased). */
export interface FakeRequestLog {
  step: UploadStep;
  url: string;
  headers: Record<string, string>;
  /** The hash the request is about (from the JSON body, or the upload intent of a PUT). */
  sha256?: string;
}

interface Intent {
  sha256: string;
  bytes: number;
  mime: string;
  expired: boolean;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** What a real fetch rejects with when aborted: the signal's reason (an `AbortError` unless one was given). */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

function error(status: number, code: ErrorCode, message: string): Response {
  return json(status, { error: { code, message } });
}

/**
 * The server's media upload API in memory, as a `fetch`: `POST /api/upload/url`, the PUT target (the
 * server's own `PUT /api/upload/:id`, or a presigned S3-style URL on another origin), and
 * `POST /api/upload/complete`, with the real server's checks (API key, request schema, size and SHA-256
 * of the bytes, idempotent rows by id) and scripted faults. For tests of the uploader.
 */
export class FakeMediaServer {
  readonly baseUrl: string;
  /** Stored objects by SHA-256. */
  readonly blobs = new Map<string, Uint8Array>();
  /** Recorded rows by `kind:id`. */
  readonly rows = new Map<string, FakeMediaRow>();
  readonly requests: FakeRequestLog[] = [];
  /** Requests per step that reached the server (faulted `before` ones excluded). */
  readonly served: Record<UploadStep, number> = { url: 0, put: 0, complete: 0 };
  /** Completions that created a row (a repeat does not). */
  created = 0;

  private readonly intents = new Map<string, Intent>();
  private readonly faults: Required<Fault>[] = [];
  private nextUploadId = 1;
  private expireNext = 0;
  private readonly s3Origin = 'http://s3.fake.test';

  constructor(
    private readonly options: { apiKey: string; baseUrl?: string; target?: 'server' | 's3'; maxBytes?: number },
  ) {
    this.baseUrl = options.baseUrl ?? 'http://media.fake.test';
  }

  /** Queues a fault; faults of one step apply in the order injected. */
  inject(fault: Fault): void {
    this.faults.push({ times: 1, phase: 'before', ...fault });
  }

  /** Injected faults not yet used up. */
  pendingFaults(): number {
    return this.faults.length;
  }

  /** The next `count` upload URLs handed out have expired by the time they are used. */
  expireNextUrls(count: number): void {
    this.expireNext += count;
  }

  /** Rows recorded for one session. */
  rowsOf(sessionId: string): FakeMediaRow[] {
    return [...this.rows.values()].filter((r) => r.sessionId === sessionId);
  }

  /** The `fetch` to hand to the uploader. */
  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => (headers[key] = value));
    const step = this.stepOf(url, method);
    if (!step) return error(404, 'not_found', `no route ${method} ${url.pathname}`);
    this.requests.push({ step, url: url.href, headers, sha256: this.hashOf(step, url, init?.body) });

    const fault = this.takeFault(step);
    if (fault?.phase === 'before') return this.faultResponse(fault.answer, init?.signal);
    this.served[step] += 1;
    const response = await this.handle(step, url, headers, init?.body);
    return fault ? this.faultResponse(fault.answer, init?.signal) : response;
  };

  private stepOf(url: URL, method: string): UploadStep | undefined {
    if (method === 'POST' && url.href === `${this.baseUrl}/api/upload/url`) return 'url';
    if (method === 'POST' && url.href === `${this.baseUrl}/api/upload/complete`) return 'complete';
    if (method === 'PUT' && (url.href.startsWith(`${this.baseUrl}/api/upload/`) || url.origin === this.s3Origin))
      return 'put';
    return undefined;
  }

  private hashOf(step: UploadStep, url: URL, body: BodyInit | null | undefined): string | undefined {
    if (step === 'put') return this.intents.get(this.uploadIdOf(url))?.sha256;
    try {
      return (JSON.parse(body as string) as { sha256?: string }).sha256;
    } catch {
      return undefined;
    }
  }

  private uploadIdOf(url: URL): string {
    return url.origin === this.s3Origin
      ? (url.searchParams.get('upload') ?? '')
      : (url.pathname.split('/').pop() ?? '');
  }

  private takeFault(step: UploadStep): Required<Fault> | undefined {
    const index = this.faults.findIndex((f) => f.step === step);
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private faultResponse(answer: FaultAnswer, signal: AbortSignal | null | undefined): Promise<Response> {
    if (answer === 'network') return Promise.reject(new TypeError('fetch failed'));
    if (answer === 'hang') {
      return new Promise((_, reject) => {
        if (signal?.aborted) reject(abortReason(signal));
        signal?.addEventListener('abort', () => reject(abortReason(signal)));
      });
    }
    if (answer.code) return Promise.resolve(error(answer.status, answer.code, answer.message ?? 'injected refusal'));
    return Promise.resolve(new Response(answer.text ?? '', { status: answer.status }));
  }

  private async handle(
    step: UploadStep,
    url: URL,
    headers: Record<string, string>,
    body: BodyInit | null | undefined,
  ): Promise<Response> {
    if (step === 'put') return this.put(url, headers, body);
    if (headers.authorization !== `Bearer ${this.options.apiKey}`)
      return error(401, 'authentication_failed', 'unknown API key');
    const parsed = validate(UploadRequestSchema, typeof body === 'string' ? JSON.parse(body) : undefined);
    if (!parsed.ok) return error(400, 'validation_failed', parsed.error.message);
    const request = parsed.value;
    if (request.bytes > (this.options.maxBytes ?? 16 * 1024 * 1024))
      return error(413, 'payload_too_large', 'too large');
    return step === 'url' ? this.grant(request) : this.complete(request);
  }

  private grant(request: UploadRequest): Response {
    const stored = this.blobs.get(request.sha256);
    const blobKey = `sha256/${request.sha256}`;
    if (stored?.byteLength === request.bytes) return json(200, { alreadyExists: true, blobKey });
    const uploadId = `upload-${this.nextUploadId++}`;
    const expired = this.expireNext > 0;
    if (expired) this.expireNext -= 1;
    this.intents.set(uploadId, { sha256: request.sha256, bytes: request.bytes, mime: request.mime, expired });
    const url =
      this.options.target === 's3'
        ? `${this.s3Origin}/bucket/${blobKey}?upload=${uploadId}&X-Amz-Signature=fake`
        : `${this.baseUrl}/api/upload/${uploadId}`;
    return json(200, {
      alreadyExists: false,
      uploadId,
      blobKey,
      method: 'PUT',
      url,
      headers: { 'content-type': request.mime },
      expiresAt: new Date(Date.UTC(2030, 0, 1)).toISOString(),
    });
  }

  private async put(url: URL, headers: Record<string, string>, body: BodyInit | null | undefined): Promise<Response> {
    const s3 = url.origin === this.s3Origin;
    const intent = this.intents.get(this.uploadIdOf(url));
    if (!intent || intent.expired) {
      // What each target really answers for an expired URL.
      return s3
        ? new Response(
            '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
            { status: 403 },
          )
        : error(404, 'not_found', 'no such upload, or it expired: ask for a new upload URL');
    }
    if (s3 && headers.authorization !== undefined) {
      return new Response(
        '<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>',
        { status: 400 },
      );
    }
    if (headers['content-type'] !== intent.mime)
      return error(400, 'validation_failed', 'content-type differs from the announced one');
    const bytes =
      body instanceof Uint8Array ? new Uint8Array(body) : new Uint8Array(await new Response(body).arrayBuffer());
    if (bytes.byteLength !== intent.bytes)
      return error(400, 'validation_failed', `body has ${bytes.byteLength} bytes, announced ${intent.bytes}`);
    if (sha(bytes) !== intent.sha256)
      return error(400, 'validation_failed', 'body does not match the announced SHA-256');
    this.blobs.set(intent.sha256, bytes);
    return json(200, { stored: true });
  }

  private complete(request: UploadRequest): Response {
    const stored = this.blobs.get(request.sha256);
    if (!stored) return error(404, 'not_found', 'nothing was uploaded for this hash: PUT the bytes first');
    if (stored.byteLength !== request.bytes || sha(stored) !== request.sha256) {
      this.blobs.delete(request.sha256);
      return error(400, 'validation_failed', 'stored object does not match; the object was removed, upload it again');
    }
    const id = request.meta.id ?? `generated-${this.rows.size + 1}`;
    const key = `${request.kind}:${id}`;
    const existing = this.rows.get(key);
    if (existing && existing.sessionId !== request.sessionId)
      return error(409, 'conflict', `${request.kind} id ${id} is already used by another session`);
    if (existing)
      return json(200, { recorded: true, kind: request.kind, id, created: false, blobKey: `sha256/${request.sha256}` });
    this.rows.set(key, {
      kind: request.kind,
      id,
      sessionId: request.sessionId,
      sha256: request.sha256,
      bytes: request.bytes,
      mime: request.mime,
      meta: request.meta,
    });
    this.created += 1;
    return json(201, { recorded: true, kind: request.kind, id, created: true, blobKey: `sha256/${request.sha256}` });
  }
}
