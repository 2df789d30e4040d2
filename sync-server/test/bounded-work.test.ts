import { gzipSync } from 'node:zlib';
import { ErrorMessageSchema, HttpErrorBodySchema, LIMITS, MAX_INFLATE_RATIO, validate } from '@codesight/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/main';
import { DEV_KEY, startDevServerWithSocket, type DevServerWithSocket } from './testing/dev-server';
import type { TestSocket } from './testing/ws-client';

/**
 * Issue 10, finding A: "a 2 KB message costs seconds and hundreds of MiB". 60 000 `{"type":"click"}`
 * stubs (1 MB of JSON, 2.6 KB gzip) used to be validated item by item, every issue of every item
 * collected, before the 5 000-event cap was looked at: 14 s of a blocked event loop and 850 MiB. Now
 * the gzip is refused while inflating (ratio), the JSON text before it is parsed (HTTP and sockets
 * alike), and a count the parse bound lets through before any item is validated; refusal messages are
 * bounded. The answers show which check
 * refused: before the fix they named `events.0.timestamp`.
 */

const SESSION = 'cs_bounded_work';
const STUBS = Array.from({ length: 60_000 }, () => ({ type: 'click' }));
const BATCH = {
  type: 'batch',
  v: 1,
  batchId: 'b-stubs',
  sessionId: SESSION,
  firstSequence: 1,
  lastSequence: STUBS.length,
  events: STUBS,
};
const INTERACTIONS = { type: 'interaction_data', sessionId: SESSION, data: STUBS };

let rig: DevServerWithSocket;
let server: RunningServer;
let socket: TestSocket;

beforeAll(async () => {
  rig = await startDevServerWithSocket('bounded-work');
  ({ server, socket } = rig);
});
afterAll(() => rig?.close());

/** POSTs `body` with the dev key; the answer's status and error. */
async function post(path: string, body: string | Uint8Array, contentType = 'application/json') {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': DEV_KEY, 'content-type': contentType },
    body,
  });
  const json: unknown = await res.json();
  const checked = validate(HttpErrorBodySchema, json);
  if (!checked.ok) throw new Error(`not an error body: ${JSON.stringify(json).slice(0, 200)}`);
  return { status: res.status, ...checked.value.error };
}

/** Sends one frame and reads the `error` it is answered with. */
async function refusalOf(frame: string | Uint8Array) {
  if (typeof frame === 'string') socket.send(frame);
  else socket.ws.send(frame);
  const reply = await socket.next(10_000);
  const checked = validate(ErrorMessageSchema, reply);
  if (!checked.ok) throw new Error(`not an error: ${JSON.stringify(reply).slice(0, 200)}`);
  return checked.value;
}

describe('60 000 stubs over HTTP', () => {
  it.each([
    ['POST /api/sync/batch', '/api/sync/batch', BATCH],
    ['POST /api/interactions', '/api/interactions', { sessionId: SESSION, data: STUBS }],
  ])('%s as 2.6 KB of gzip: refused while inflating, past MAX_INFLATE_RATIO x its size', async (_what, path, body) => {
    const gzip = gzipSync(JSON.stringify(body));
    expect(gzip.byteLength).toBeLessThan(3_000);
    expect(await post(path, gzip, 'application/octet-stream')).toEqual({
      status: 413,
      code: 'payload_too_large',
      message: `inflated body exceeds ${gzip.byteLength * MAX_INFLATE_RATIO} bytes (${MAX_INFLATE_RATIO}x its ${gzip.byteLength} compressed bytes)`,
    });
  });

  it.each([
    ['POST /api/sync/batch', '/api/sync/batch', BATCH],
    ['POST /api/interactions', '/api/interactions', { sessionId: SESSION, data: STUBS }],
    ['POST /api/sync/resume', '/api/sync/resume', { sessionIds: STUBS.map(() => 1) }],
  ])('%s as 1 MB of JSON text: refused before it is parsed', async (_what, path, body) => {
    expect(await post(path, JSON.stringify(body))).toEqual({
      status: 400,
      code: 'validation_failed',
      message: `request body: JSON array of more than ${LIMITS.arrayItems} items`,
    });
  });
});

describe('60 000 stubs on the socket', () => {
  it('as a 2.6 KB gzip frame: refused while inflating', async () => {
    const gzip = gzipSync(JSON.stringify(BATCH));
    const error = await refusalOf(gzip);
    expect(error).toMatchObject({ code: 'payload_too_large', retryable: false });
    expect(error.message).toBe(
      `inflated frame exceeds ${gzip.byteLength * MAX_INFLATE_RATIO} bytes (${MAX_INFLATE_RATIO}x its ${gzip.byteLength} bytes)`,
    );
  });

  it.each([
    ['batch', BATCH],
    ['interaction_data', INTERACTIONS],
    ['resume', { type: 'resume', sessionIds: STUBS.map(() => 1) }],
  ])('%s as a text frame: refused before it is parsed, as over HTTP', async (_type, message) => {
    const error = await refusalOf(JSON.stringify(message));
    expect(error).toMatchObject({ code: 'validation_failed', retryable: false });
    expect(error.message).toBe(`frame: JSON array of more than ${LIMITS.arrayItems} items`);
  });

  it('resume with 5 000 ids, within the parse bound: refused by its count before any id is validated', async () => {
    const error = await refusalOf(JSON.stringify({ type: 'resume', sessionIds: STUBS.slice(0, 5000).map(() => 1) }));
    expect(error).toMatchObject({ code: 'validation_failed', retryable: false });
    // Numbers are not session ids: an item validated first would have named `sessionIds.0`.
    expect(error.message).toBe(`sessionIds: Invalid length: Expected <=${LIMITS.resumeSessions} but received 5000`);
  });
});

describe('refusal messages', () => {
  const huge = 'x'.repeat(1_000_000);

  it('never echo a large input back, on either transport', async () => {
    const error = await refusalOf(JSON.stringify({ ...BATCH, events: [], firstSequence: huge }));
    expect(error.code).toBe('validation_failed');
    expect(error.message.length).toBeLessThanOrEqual(LIMITS.errorMessage);
    expect(error.message).toMatch(/^firstSequence: Invalid type: Expected number but received "xxx/);

    const refused = await post('/api/sync/batch', JSON.stringify({ ...BATCH, events: [], firstSequence: huge }));
    expect(refused.status).toBe(400);
    expect(refused.message.length).toBeLessThanOrEqual(LIMITS.errorMessage);
  });
});
