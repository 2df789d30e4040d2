import type { Expectation, HttpCase, HttpStep, Payload } from './fuzz-case';
import { PLACEHOLDER } from './fuzz-case';
import { generateValid, HTTP_TARGETS, httpRouteOf, type Target } from './generate';
import { keyHeaders } from './http-headers';
import {
  bodyFraming,
  forgedHost,
  oddRequest,
  otherWorkersData,
  pathTrick,
  refusedCredential,
  uploadPathTrick,
  type Base,
} from './cases-http-access';
import { mutate } from './mutate';
import { namesHonestSession, ownSessionId, type PlanContext } from './plan-context';
import type { Rng } from './rng';
import { expectationFor } from './verdict';

/**
 * HTTP cases about what is sent: the twins of every socket message and the upload API with mutated
 * and damaged bodies, and uploads whose bytes are not the announced ones. The access cases
 * (credentials, other workers, paths, Host, framing) are in cases-http-access.ts.
 */

/** A JSON body, or gzip as the batch twin takes it (`application/octet-stream` or `Content-Encoding: gzip`). */
function body(rng: Rng, text: string): { payload: Payload; headers: Record<string, string> } {
  if (rng.chance(0.65)) return { payload: { kind: 'text', text }, headers: { 'content-type': 'application/json' } };
  const lib = rng.pick(['zlib', 'fflate'] as const);
  const headers: Record<string, string> = rng.chance(0.5)
    ? { 'content-type': 'application/octet-stream' }
    : { 'content-type': 'application/json', 'content-encoding': 'gzip' };
  return { payload: { kind: 'gzip', text, lib }, headers };
}

/** The session id an HTTP route takes from its path (screenshots), as Hono decodes it. */
function pathSessionId(path: string): string | undefined {
  const match = /^\/api\/sessions\/([^/]+)\/screenshots$/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return undefined;
  }
}

/** A write route's body for `target`, mutated most of the time, now and then naming another worker's session. */
function mutatedRequest(rng: Rng, ctx: PlanContext, base: Base): HttpCase {
  const target = rng.pick(HTTP_TARGETS);
  const cross = rng.chance(0.15);
  const sessionId = cross ? rng.pick(ctx.honestSessionIds) : ownSessionId(rng, base.attacker);
  const route = httpRouteOf(target, generateValid(rng, target, sessionId).message);
  const mutated =
    rng.chance(0.85) && typeof route.body === 'object'
      ? mutate(rng, route.body as Record<string, unknown>)
      : { text: JSON.stringify(route.body), label: 'valid' };
  let expect = expectationFor(target, mutated.text, {
    maxBodyBytes: ctx.maxBodyBytes,
    pathSessionId: pathSessionId(route.path),
  });
  if (expect === 'any' && (namesHonestSession(ctx, mutated.text) || namesHonestSession(ctx, route.path)))
    expect = 'deny';
  const sent = body(rng, mutated.text);
  const step: HttpStep = {
    method: 'POST',
    path: route.path,
    headers: { ...keyHeaders(rng), ...sent.headers },
    body: sent.payload,
    expect,
    label: `${target.slice(5)}:${mutated.label}${cross ? ':cross' : ''}`,
    ...(cross ? {} : { sessionId }),
  };
  return { transport: 'http', ...base, kind: 'http-mutated', steps: [step] };
}

/** Bodies that are not what their headers say: damaged and bomb gzip, over the limit, invalid UTF-8, empty. */
function damagedBody(rng: Rng, ctx: PlanContext, base: Base): HttpCase {
  const target: Target = rng.pick(HTTP_TARGETS);
  const route = httpRouteOf(target, generateValid(rng, target, ownSessionId(rng, base.attacker)).message);
  const valid = JSON.stringify(route.body);
  const lib = rng.pick(['zlib', 'fflate'] as const);
  const gzipHeaders = { 'content-type': 'application/octet-stream' };
  const kind = rng.pick([
    'gzip-truncated',
    'gzip-bomb',
    'gzip-ratio-bomb',
    'not-gzip',
    'json-declared-gzip',
    'over-body-limit',
    'over-body-limit-gzip',
    'invalid-utf8',
    'empty',
    'form-encoded',
  ] as const);
  const make = (payload: Payload, headers: Record<string, string>, expect: Expectation): HttpCase => ({
    transport: 'http',
    ...base,
    kind: 'http-damaged-body',
    steps: [
      {
        method: 'POST',
        path: route.path,
        headers: { ...keyHeaders(rng), ...headers },
        body: payload,
        expect,
        label: kind,
      },
    ],
  });
  switch (kind) {
    case 'gzip-truncated':
      return make(
        { kind: 'gzip', text: valid, lib, damage: { op: 'truncate', keep: rng.int(0, 40) } },
        gzipHeaders,
        'refuse',
      );
    case 'gzip-bomb':
      return make(
        { kind: 'bomb', inflated: rng.pick([5, 64]) * 1024 * 1024, filler: 'zeros', lib },
        gzipHeaders,
        'refuse',
      );
    case 'gzip-ratio-bomb':
      return make(
        { kind: 'bomb', inflated: rng.pick([300_000, 1_000_000]), filler: 'stubs', lib },
        gzipHeaders,
        'refuse',
      );
    case 'not-gzip':
      return make({ kind: 'bytes', hex: rng.bytes(rng.int(1, 256)).toString('hex') }, gzipHeaders, 'refuse');
    case 'json-declared-gzip':
      return make(
        { kind: 'text', text: valid },
        { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        'refuse',
      );
    case 'over-body-limit':
      return make(
        { kind: 'bytes', hex: '', fill: { byte: 0x20, length: ctx.maxBodyBytes + rng.int(1, 100_000) } },
        { 'content-type': 'application/json' },
        'refuse',
      );
    case 'over-body-limit-gzip':
      return make(
        { kind: 'bytes', hex: '', fill: { byte: 0x1f, length: ctx.maxBodyBytes + rng.int(1, 100_000) } },
        gzipHeaders,
        'refuse',
      );
    case 'invalid-utf8': {
      const bytes = Buffer.from(valid);
      const at = rng.int(1, bytes.length - 2);
      const bad = Buffer.concat([bytes.subarray(0, at), Buffer.from('ff', 'hex'), bytes.subarray(at)]);
      // Decoded with U+FFFD in place of the byte, the body may still be valid JSON.
      return make({ kind: 'bytes', hex: bad.toString('hex') }, { 'content-type': 'application/json' }, 'any');
    }
    case 'empty':
      return make(
        { kind: 'text', text: '' },
        rng.chance(0.5) ? gzipHeaders : { 'content-type': 'application/json' },
        'refuse',
      );
    case 'form-encoded':
      return make(
        { kind: 'text', text: 'sessionId=x&data=y' },
        { 'content-type': 'application/x-www-form-urlencoded' },
        'refuse',
      );
  }
}

/**
 * The upload API as an attacker runs it: announce (its own session), then PUT bytes that are not
 * the announced ones (larger, smaller, other bytes), then complete. Announcing more than the body
 * limit is refused at once.
 */
function dishonestUpload(rng: Rng, ctx: PlanContext, base: Base): HttpCase {
  const json = { ...keyHeaders(rng), 'content-type': 'application/json' };
  const announcement = generateValid(rng, 'http:upload-url', ownSessionId(rng, base.attacker)).message;
  const size = announcement.bytes as number;
  if (rng.chance(0.2)) {
    const oversized = JSON.stringify({ ...announcement, bytes: ctx.maxBodyBytes + rng.int(1, 10 ** 9) });
    return {
      transport: 'http',
      ...base,
      kind: 'http-upload',
      steps: [
        {
          method: 'POST',
          path: '/api/upload/url',
          headers: json,
          body: { kind: 'text', text: oversized },
          expect: 'refuse',
          label: 'oversized-announcement',
        },
      ],
    };
  }
  const wrong = rng.pick(['larger', 'smaller', 'other-bytes', 'oversized'] as const);
  const length = {
    larger: size + rng.int(1, 64),
    smaller: Math.max(0, size - rng.int(1, 16)),
    'other-bytes': size,
    oversized: ctx.maxBodyBytes + 1,
  }[wrong];
  const text = JSON.stringify(announcement);
  return {
    transport: 'http',
    ...base,
    kind: 'http-upload',
    steps: [
      {
        method: 'POST',
        path: '/api/upload/url',
        headers: json,
        body: { kind: 'text', text },
        expect: 'any',
        label: 'announce',
      },
      {
        method: 'PUT',
        path: `/api/upload/${PLACEHOLDER.uploadId}`,
        headers: { host: PLACEHOLDER.host, 'content-type': 'audio/webm;codecs=opus' },
        body:
          wrong === 'oversized'
            ? { kind: 'bytes', hex: '', fill: { byte: 0x42, length } }
            : { kind: 'bytes', hex: rng.bytes(length).toString('hex') },
        expect: 'refuse',
        label: `put-${wrong}`,
      },
      {
        method: 'POST',
        path: '/api/upload/complete',
        headers: json,
        body: { kind: 'text', text: JSON.stringify({ ...announcement, uploadId: PLACEHOLDER.uploadId }) },
        expect: 'refuse',
        label: 'complete-unverified',
      },
    ],
  };
}

/** HTTP case builders and their weights. */
export const HTTP_CASES: readonly (readonly [number, (rng: Rng, ctx: PlanContext, base: Base) => HttpCase])[] = [
  [10, mutatedRequest],
  [4, damagedBody],
  [4, refusedCredential],
  [4, otherWorkersData],
  [2, pathTrick],
  [1, (rng, _ctx, base) => uploadPathTrick(rng, base)],
  [2, dishonestUpload],
  [1, (rng, _ctx, base) => forgedHost(rng, base)],
  [1, (rng, _ctx, base) => oddRequest(rng, base)],
  [1, (rng, _ctx, base) => bodyFraming(rng, base)],
];
