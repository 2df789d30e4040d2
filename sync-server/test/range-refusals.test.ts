import { ErrorMessageSchema, HttpErrorBodySchema, validate } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../src/main';
import { TINY_PNG_DATA_URL } from '../src/testing/test-images';
import { DEV_KEY, startDevServerWithSocket, type DevServerWithSocket } from './testing/dev-server';
import type { TestSocket } from './testing/ws-client';

/**
 * Issue 10, finding B: "permanent errors reported as retryable 500s". Values the database cannot hold
 * (`tabId: 1e19` failed the batch function's `::bigint` cast; a year-0 time; a ratio past a `real`)
 * and JSON nested 150 000 deep (a stack overflow while storing it) were answered `500 internal`,
 * retryable, so a client would resend them forever. They are refused by the schemas now: 400
 * `validation_failed` over HTTP, a non-retryable `validation_failed` on the socket.
 */

const SESSION = 'cs_range_refusals';

let rig: DevServerWithSocket;
let server: RunningServer;
let socket: TestSocket;

beforeAll(async () => {
  rig = await startDevServerWithSocket('range-refusals');
  ({ server, socket } = rig);
});
afterAll(() => rig?.close());

/** A batch of three sample events with `patch` applied to the first. */
function batch(patch: Record<string, unknown>) {
  const events: Record<string, unknown>[] = sampleRecordedEvents(SESSION, 3);
  events[0] = { ...events[0], ...patch };
  return { type: 'batch', v: 1, batchId: 'b-range', sessionId: SESSION, firstSequence: 1, lastSequence: 3, events };
}

/** `{"a":{"a":...1}}`, `depth` levels, as text (JSON.stringify would overflow the stack first). */
const nestedText = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const DEEP = '__DEEP__';
/** `message` as JSON text with its "__DEEP__" string replaced by 150 000 levels of nesting. */
const withDeep = (message: unknown) => JSON.stringify(message).replace(`"${DEEP}"`, nestedText(150_000));

const ROUTES: Record<string, string> = {
  batch: '/api/sync/batch',
  session_close: '/api/sync/session-close',
  session_start: '/api/sessions',
  interaction_data: '/api/interactions',
  screenshot_data: `/api/sessions/${SESSION}/screenshots`,
};

const CASES: [string, string][] = [
  ['a batch with tabId 1e19 (past bigint)', JSON.stringify(batch({ tabId: 1e19 }))],
  ['a batch with frameId -1e19', JSON.stringify(batch({ frameId: -1e19 }))],
  ['a batch with tabId 1e308', JSON.stringify(batch({ tabId: 1e308 }))],
  [
    'a session_close at year 275760',
    JSON.stringify({ type: 'session_close', sessionId: SESSION, endTime: 8.64e15, finalCount: 3 }),
  ],
  [
    'a session_start at year 0',
    JSON.stringify({ type: 'session_start', sessionId: 'cs_year_zero', startTime: '0000-01-01T00:00:00Z' }),
  ],
  [
    'a screenshot with a compression ratio past a real',
    JSON.stringify({ type: 'screenshot_data', sessionId: SESSION, image: TINY_PNG_DATA_URL, compressionRatio: 1e39 }),
  ],
  [
    'interaction_data with a context nested 150 000 deep',
    withDeep({ type: 'interaction_data', sessionId: SESSION, data: { type: 'click', timestamp: 1, context: DEEP } }),
  ],
  [
    'interaction_data with an unknown key nested 150 000 deep',
    withDeep({ type: 'interaction_data', sessionId: SESSION, data: { type: 'click', timestamp: 1, extra: DEEP } }),
  ],
  ['session_start metadata nested 150 000 deep', withDeep({ type: 'session_start', sessionId: SESSION, meta: DEEP })],
];

describe('values the database cannot hold', () => {
  it.each(CASES)('%s: a permanent validation_failed on the socket, not a retryable internal', async (_what, text) => {
    socket.send(text);
    const reply = await socket.next(10_000);
    expect(validate(ErrorMessageSchema, reply).ok).toBe(true);
    expect(reply).toMatchObject({ type: 'error', code: 'validation_failed', retryable: false });
  });

  it.each(CASES)('%s: 400 over HTTP, not 500', async (_what, text) => {
    const type = (/"type":"([a-z_]+)"/.exec(text) ?? [])[1] ?? '';
    const res = await fetch(`${server.url}${ROUTES[type]}`, {
      method: 'POST',
      headers: { 'x-api-key': DEV_KEY, 'content-type': 'application/json' },
      body: text,
    });
    const body: unknown = await res.json();
    expect(validate(HttpErrorBodySchema, body).ok).toBe(true);
    expect({ status: res.status, code: (body as { error: { code: string } }).error.code }).toEqual({
      status: 400,
      code: 'validation_failed',
    });
  });

  it('stores the same batch once its numbers fit', async () => {
    socket.send(JSON.stringify(batch({ tabId: 2 ** 53 - 1 })));
    expect(await socket.next(10_000)).toMatchObject({ type: 'batch_ack', ackedThrough: 3, inserted: 3 });
  });
});
