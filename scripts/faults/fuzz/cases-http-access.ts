import type { Expectation, HttpCase, HttpStep } from './fuzz-case';
import { PLACEHOLDER } from './fuzz-case';
import { forgedCredential } from './forged-credentials';
import { generateValid, httpRouteOf } from './generate';
import { keyHeaders } from './http-headers';
import { namesHonestSession, ownSessionId, type PlanContext } from './plan-context';
import type { Rng } from './rng';

/**
 * HTTP cases about who may do what and where: refused credentials, other workers' sessions and blobs,
 * path tricks, forged Host headers, odd routes and methods, request body framing.
 */

/** The `index` and `attacker` every case builder is given. */
export type Base = Pick<HttpCase, 'index' | 'attacker'>;

/** Routes of every audience, for credential cases. */
const CREDENTIAL_ROUTES: readonly { method: string; path: string; audience: 'worker' | 'admin' | 'any' }[] = [
  { method: 'POST', path: '/api/sync/batch', audience: 'worker' },
  { method: 'POST', path: '/api/sync/resume', audience: 'worker' },
  { method: 'POST', path: '/api/sessions', audience: 'worker' },
  { method: 'POST', path: '/api/interactions', audience: 'worker' },
  { method: 'POST', path: '/api/upload/url', audience: 'worker' },
  { method: 'GET', path: '/api/sessions', audience: 'any' },
  { method: 'GET', path: '/api/extension/sessions', audience: 'any' },
  { method: 'GET', path: '/api/status', audience: 'admin' },
  { method: 'GET', path: '/api/workers', audience: 'admin' },
  { method: 'POST', path: '/api/workers', audience: 'admin' },
  { method: 'GET', path: '/api/debug/counts', audience: 'admin' },
];

/** Requests with no, forged, revoked or misplaced credentials: 401 or 403, never served. */
export function refusedCredential(rng: Rng, ctx: PlanContext, base: Base): HttpCase {
  const route = rng.pick(CREDENTIAL_ROUTES);
  const kind = rng.weighted<string>([
    [1, 'none'],
    [1, 'empty-bearer'],
    [1, 'basic-auth'],
    [6, 'forged'],
    [1, 'oversized-header'],
    [2, 'misplaced'],
  ]);
  let headers: Record<string, string> = { host: PLACEHOLDER.host };
  let label = kind;
  switch (kind) {
    case 'none':
      break;
    case 'empty-bearer':
      headers.authorization = rng.pick(['Bearer', 'Bearer ', 'Bearer  \t', 'bearer']);
      break;
    case 'basic-auth':
      headers.authorization = `Basic ${Buffer.from('admin:admin').toString('base64')}`;
      break;
    case 'forged': {
      const forged = forgedCredential(rng, ctx.jwtSecret);
      headers = { ...keyHeaders(rng, forged.value) };
      label = forged.label;
      break;
    }
    case 'oversized-header':
      headers.authorization = `Bearer csk_${'A'.repeat(rng.pick([20_000, 70_000]))}`;
      break;
    default:
      // A worker key on an admin route, an admin token on a worker route.
      if (route.audience === 'worker') headers = { ...keyHeaders(rng, PLACEHOLDER.adminToken) };
      else headers = { ...keyHeaders(rng) };
      label = route.audience === 'worker' ? 'admin-token-on-worker-route' : 'worker-key-on-admin-route';
  }
  // A worker key may read its own lists: that is not a refusal.
  const expect: Expectation = kind === 'misplaced' && route.audience === 'any' ? 'any' : 'refuse';
  const withBody = route.method === 'POST';
  return {
    transport: 'http',
    ...base,
    kind: 'http-credentials',
    steps: [
      {
        method: route.method,
        path: route.path,
        headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers,
        body: withBody ? { kind: 'text', text: '{"name":"fuzz","sessionIds":[]}' } : undefined,
        expect,
        label: `${label}:${route.audience}`,
      },
    ],
  };
}

/** Reads and writes of another worker's sessions and blobs: always 404/403 alike, never data. */
export function otherWorkersData(rng: Rng, ctx: PlanContext, base: Base): HttpCase {
  const session = rng.pick(ctx.honestSessionIds);
  const headers = keyHeaders(rng);
  const json = { ...headers, 'content-type': 'application/json' };
  const kind = rng.pick([
    'session-read',
    'blob-read',
    'upload-url-their-session',
    'complete-their-hash',
    'screenshot-their-session',
    'batch-their-session',
    'close-their-session',
  ] as const);
  let step: Omit<HttpStep, 'expect' | 'label'>;
  switch (kind) {
    case 'session-read': {
      const view = rng.pick(['data', 'training-data', 'screenshots', 'audio-chunks', 'video-chunks', 'audio', 'video']);
      step = { method: 'GET', path: `/api/extension/sessions/${session}/${view}`, headers };
      break;
    }
    case 'blob-read':
      step = { method: 'GET', path: `/api/blobs/${rng.pick(ctx.honestBlobKeys)}`, headers };
      break;
    case 'upload-url-their-session':
    case 'complete-their-hash': {
      const own = kind === 'complete-their-hash';
      const announcement = generateValid(
        rng,
        'http:upload-url',
        own ? ownSessionId(rng, base.attacker) : session,
      ).message;
      // Their hash (and its size unknown: a guess), on the attacker's own session or theirs.
      const text = JSON.stringify({ ...announcement, sha256: rng.pick(ctx.honestSha256) });
      step = {
        method: 'POST',
        path: own ? '/api/upload/complete' : '/api/upload/url',
        headers: json,
        body: { kind: 'text', text },
      };
      break;
    }
    case 'screenshot-their-session': {
      const { body: shot } = httpRouteOf('http:screenshots', generateValid(rng, 'http:screenshots', session).message);
      step = {
        method: 'POST',
        path: `/api/sessions/${session}/screenshots`,
        headers: json,
        body: { kind: 'text', text: JSON.stringify(shot) },
      };
      break;
    }
    case 'batch-their-session': {
      const { body: batch } = httpRouteOf('http:batch', generateValid(rng, 'http:batch', session).message);
      step = {
        method: 'POST',
        path: '/api/sync/batch',
        headers: json,
        body: { kind: 'text', text: JSON.stringify(batch) },
      };
      break;
    }
    case 'close-their-session': {
      const { body: close } = httpRouteOf(
        'http:session-close',
        generateValid(rng, 'http:session-close', session).message,
      );
      step = {
        method: 'POST',
        path: '/api/sync/session-close',
        headers: json,
        body: { kind: 'text', text: JSON.stringify(close) },
      };
      break;
    }
  }
  return { transport: 'http', ...base, kind: 'http-cross-worker', steps: [{ ...step, expect: 'deny', label: kind }] };
}

/** Request targets that try to leave their route: dot segments, encodings, NUL, backslashes, length. */
export function pathTrick(rng: Rng, ctx: PlanContext, base: Base): HttpCase {
  const hash = rng.pick(ctx.honestSha256);
  const session = rng.pick(ctx.honestSessionIds);
  const paths = [
    '/api/blobs/../../../../etc/passwd',
    '/api/blobs/sha256/../../../../etc/passwd',
    '/api/blobs/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/api/blobs/..%2f..%2f..%2fetc%2fpasswd',
    '/api/blobs/%252e%252e%252fetc%252fpasswd',
    '/api/blobs/sha256\\..\\..\\etc\\passwd',
    `/api/blobs/sha256/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}.png%00.txt`,
    `/api/blobs/sha256/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}.png\u0000.txt`,
    `/api/blobs/sha256/${hash.slice(0, 2)}/${hash.slice(2, 4)}/../../${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}.png`,
    `/api/blobs/${'a/'.repeat(rng.pick([10, 3000]))}x`,
    `/api/blobs/${'x'.repeat(rng.pick([200, 9000]))}`,
    '/api/blobs/uploads/00000000-0000-4000-8000-000000000000',
    '/api/blobs/',
    '/api/blobs/.env',
    '/api/blobs/sha256/ab/cd/.hidden',
    `/api/extension/sessions/..%2F${session}/data`,
    `/api/extension/sessions/${session}%00/data`,
    `/api/extension/sessions/${session}/..%2f..%2fscreenshots`,
    `/api/extension/sessions/%2e%2e/data`,
    `/api/extension/sessions/${'s'.repeat(rng.pick([65, 5000]))}/data`,
    `/api/extension/sessions/${encodeURIComponent('\u202e' + session)}/data`,
    '/api/../api/status',
    '//api//blobs//x',
    `/api/extension/sessions/${session}/data?limit=${'9'.repeat(400)}`,
  ];
  const path = rng.pick(paths);
  return {
    transport: 'http',
    ...base,
    kind: 'http-path-trick',
    steps: [
      {
        method: 'GET',
        path,
        headers: keyHeaders(rng),
        expect: namesHonestSession(ctx, path) ? 'deny' : 'refuse',
        label: 'get',
      },
    ],
  };
}

/** PUTs to upload ids that do not exist or are not ids at all (the id is the credential). */
export function uploadPathTrick(rng: Rng, base: Base): HttpCase {
  const path = rng.pick([
    '/api/upload/00000000-0000-4000-8000-000000000000',
    '/api/upload/../../etc/passwd',
    '/api/upload/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/api/upload/uploads%2f00000000-0000-4000-8000-000000000000',
    `/api/upload/${'f'.repeat(5000)}`,
    '/api/upload/url',
    '/api/upload/complete',
  ]);
  const step: HttpStep = {
    method: 'PUT',
    path,
    headers: { host: PLACEHOLDER.host, 'content-type': 'audio/webm' },
    body: { kind: 'bytes', hex: rng.bytes(rng.int(1, 64)).toString('hex') },
    expect: 'refuse',
    label: 'put',
  };
  return { transport: 'http', ...base, kind: 'http-path-trick', steps: [step] };
}

/** A Host that is neither the public URL nor a loopback name (DNS rebinding): refused. */
export function forgedHost(rng: Rng, base: Base): HttpCase {
  const host = rng.pick([
    'evil.example',
    'rebind.attacker.example:3000',
    '127.0.0.1.evil.example',
    'localhost.evil.example',
    'example.com:80',
  ]);
  const route = rng.pick(['/api/extension/sessions', '/api/sessions', '/api/status']);
  return {
    transport: 'http',
    ...base,
    kind: 'http-forged-host',
    steps: [
      { method: 'GET', path: route, headers: { ...keyHeaders(rng), host }, expect: 'refuse', label: 'forged-host' },
    ],
  };
}

/** Unknown routes and methods, bad query strings, a plain GET on a socket path. */
export function oddRequest(rng: Rng, base: Base): HttpCase {
  const headers = keyHeaders(rng);
  const pick = rng.pick([
    { method: 'GET', path: '/api/nothing-here' },
    { method: 'DELETE', path: '/api/sessions' },
    { method: 'PATCH', path: '/api/sync/batch' },
    { method: 'TRACE', path: '/api/sessions' },
    { method: 'GET', path: '/ws' },
    { method: 'GET', path: '/extension-ws' },
    {
      method: 'GET',
      path: `/api/extension/sessions?limit=${rng.pick(['-1', '0', '201', '1e308', 'NaN', 'abc', '9'.repeat(30)])}`,
    },
    {
      method: 'GET',
      path: `/api/extension/sessions?cursor=${rng.pick(['', 'garbage', 'A'.repeat(600), '%00', 'W10', 'WyIxIl0'])}`,
    },
    { method: 'GET', path: `/api/sessions?limit=${rng.pick(['-1', '0', '201', 'x'])}` },
    { method: 'POST', path: '/api/sync/batch?type=resume' },
  ]);
  return {
    transport: 'http',
    ...base,
    kind: 'http-odd-request',
    steps: [{ ...pick, headers, expect: 'refuse', label: pick.method }],
  };
}

/**
 * Bodies framed the way request smuggling frames them: chunked (valid and not), chunked with a
 * Content-Length, two lengths, lengths that are not numbers, a length shorter than the body,
 * `Expect: 100-continue`. Node's parser refuses most with a bare 400; none may go unanswered.
 */
export function bodyFraming(rng: Rng, base: Base): HttpCase {
  const sessionId = ownSessionId(rng, base.attacker);
  const json = JSON.stringify({ sessionIds: [sessionId] });
  const chunked = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n0\r\n\r\n`;
  const kind = rng.pick([
    'chunked',
    'chunked-and-content-length',
    'two-content-lengths',
    'bad-chunk-size',
    'content-length-not-a-number',
    'content-length-short',
    'expect-continue',
  ] as const);
  const headers: Record<string, string> = { ...keyHeaders(rng), 'content-type': 'application/json' };
  let text = json;
  let expect: Expectation = 'refuse';
  switch (kind) {
    case 'chunked':
      headers['transfer-encoding'] = 'chunked';
      text = chunked(json);
      expect = 'any';
      break;
    case 'chunked-and-content-length':
      headers['transfer-encoding'] = 'chunked';
      headers['content-length'] = String(Buffer.byteLength(chunked(json)));
      text = chunked(json);
      break;
    case 'two-content-lengths':
      headers['content-length'] = `${json.length}, ${json.length + 5}`;
      break;
    case 'bad-chunk-size':
      headers['transfer-encoding'] = 'chunked';
      text = `zz\r\n${json}\r\n0\r\n\r\n`;
      break;
    case 'content-length-not-a-number':
      headers['content-length'] = rng.pick(['-1', 'abc', '1e3', '0x10', ' ']);
      break;
    case 'content-length-short':
      // The rest of the body reads as a second request on a connection about to close.
      headers['content-length'] = String(rng.int(1, json.length - 1));
      expect = 'any';
      break;
    case 'expect-continue':
      headers.expect = '100-continue';
      expect = 'any';
  }
  return {
    transport: 'http',
    ...base,
    kind: 'http-body-framing',
    steps: [{ method: 'POST', path: '/api/sync/resume', headers, body: { kind: 'text', text }, expect, label: kind }],
  };
}
