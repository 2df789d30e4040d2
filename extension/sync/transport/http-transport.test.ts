import { describe, expect, it } from 'vitest';
import { decodeCompressed } from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import { createHttpTransport } from './http-transport';
import type { SyncServerMessage, TransportState } from './transport';
import { sampleAck, sampleBatch } from '../testing/sample-exchange';

const BASE = 'https://collector.example/prefix';
const TIMEOUT_MS = 30_000;

const batch = sampleBatch;
const ack = sampleAck;

/** One request as the fake fetch saw it. */
interface SeenRequest {
  url: string;
  method: string | undefined;
  headers: Record<string, string>;
  body: unknown;
}

/** What the fake server does with a request: answer with a status and JSON, fail, or never answer. */
type Answer = { status: number; json?: unknown } | { networkError: string } | 'hang';

const json = (status: number, body: unknown): Answer => ({ status, json: body });

/**
 * A fetch that answers from a queue (the last answer repeats), records every request, and honours the
 * abort signal the way the real one does: a hanging request rejects once it is aborted.
 */
function fakeFetch(answers: Answer[]) {
  const seen: SeenRequest[] = [];
  const fetch: typeof globalThis.fetch = (input, init = {}) => {
    // The transport sends JSON text or gzip bytes, nothing else.
    const body = init.body instanceof Uint8Array || typeof init.body === 'string' ? init.body : undefined;
    seen.push({
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      method: init.method,
      headers: init.headers as Record<string, string>,
      body,
    });
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    if (answer === 'hang') {
      return new Promise((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(new Error('This operation was aborted')));
      });
    }
    if ('networkError' in answer) return Promise.reject(new TypeError(answer.networkError));
    return Promise.resolve(
      new Response(answer.json === undefined ? 'not json' : JSON.stringify(answer.json), { status: answer.status }),
    );
  };
  return { fetch, seen };
}

function setup(answers: Answer[]) {
  const clock = new FakeClock(0);
  const { fetch, seen } = fakeFetch(answers);
  const transport = createHttpTransport({ baseUrl: BASE, apiKey: 'key-1', fetch, clock, timeoutMs: TIMEOUT_MS });
  const states: TransportState[] = [];
  const inbound: SyncServerMessage[] = [];
  transport.subscribe({ onState: (s) => states.push(s), onMessage: (m) => inbound.push(m) });
  const flush = () => clock.advance(0);
  const openNow = async () => {
    transport.connect();
    await flush();
    expect(states.at(-1)).toEqual({ status: 'open' });
  };
  return { clock, transport, seen, states, inbound, flush, openNow };
}

const resumeOk = json(200, { type: 'resume_state', sessions: [] });

describe('createHttpTransport: connect', () => {
  it('opens once an authenticated empty resume succeeds', async () => {
    const t = setup([resumeOk]);
    t.transport.connect();
    expect(t.states).toEqual([{ status: 'connecting' }]);
    await t.flush();
    expect(t.states).toEqual([{ status: 'connecting' }, { status: 'open' }]);
    expect(t.seen).toEqual([
      {
        url: `${BASE}/api/sync/resume`,
        method: 'POST',
        headers: { Authorization: 'Bearer key-1', 'Content-Type': 'application/json' },
        body: JSON.stringify({ type: 'resume', sessionIds: [] }),
      },
    ]);
    expect(t.inbound).toEqual([]);
  });

  it.each<{ name: string; answer: Answer; reason: string }>([
    {
      name: 'a refused key',
      answer: json(401, { error: { code: 'authentication_failed', message: 'bad key' } }),
      reason: 'authentication failed (HTTP 401)',
    },
    { name: 'a server error', answer: json(503, null), reason: 'server answered HTTP 503' },
    {
      name: 'a network error',
      answer: { networkError: 'Failed to fetch' },
      reason: `cannot reach ${BASE}: Failed to fetch`,
    },
  ])('closes on $name', async ({ answer, reason }) => {
    const t = setup([answer]);
    t.transport.connect();
    await t.flush();
    expect(t.states).toEqual([{ status: 'connecting' }, { status: 'closed', reason }]);
  });

  it('times out a connect that gets no answer, on the injected clock', async () => {
    const t = setup(['hang']);
    t.transport.connect();
    await t.clock.advance(TIMEOUT_MS - 1);
    expect(t.states).toEqual([{ status: 'connecting' }]);
    await t.clock.advance(1);
    expect(t.states.at(-1)).toEqual({
      status: 'closed',
      reason: `cannot reach ${BASE}: This operation was aborted`,
    });
  });

  it('is a no-op while open, and ignores the answer to a connect abandoned by close()', async () => {
    const t = setup([resumeOk]);
    await t.openNow();
    t.transport.connect();
    expect(t.seen).toHaveLength(1);
    t.transport.close('stopped');
    t.transport.connect();
    t.transport.close('stopped');
    await t.flush();
    expect(t.states.map((s) => s.status)).toEqual(['connecting', 'open', 'connecting']);
  });
});

describe('createHttpTransport: send', () => {
  it('posts a batch gzip-compressed and delivers the ack', async () => {
    const t = setup([resumeOk, json(200, ack)]);
    await t.openNow();
    t.transport.send(batch);
    await t.flush();
    const request = t.seen[1]!;
    expect(request).toMatchObject({
      url: `${BASE}/api/sync/batch`,
      method: 'POST',
      headers: { Authorization: 'Bearer key-1', 'Content-Type': 'application/octet-stream' },
    });
    expect(decodeCompressed(request.body as Uint8Array, 1 << 20)).toEqual(batch);
    expect(t.inbound).toEqual([ack]);
  });

  it('posts the other messages as JSON to their own paths', async () => {
    const closed: SyncServerMessage = {
      type: 'session_closed',
      sessionId: 's1',
      status: 'complete',
      ackedThrough: 3,
      missing: 0,
    };
    const t = setup([resumeOk, resumeOk, json(200, closed)]);
    await t.openNow();
    t.transport.send({ type: 'resume', sessionIds: ['s1'] });
    t.transport.send({ type: 'session_close', sessionId: 's1', endTime: 5, finalCount: 3 });
    await t.flush();
    expect(t.seen.slice(1).map((r) => [r.url, r.headers['Content-Type'], r.body])).toEqual([
      [`${BASE}/api/sync/resume`, 'application/json', JSON.stringify({ type: 'resume', sessionIds: ['s1'] })],
      [
        `${BASE}/api/sync/session-close`,
        'application/json',
        JSON.stringify({ type: 'session_close', sessionId: 's1', endTime: 5, finalCount: 3 }),
      ],
    ]);
    expect(t.inbound).toEqual([{ type: 'resume_state', sessions: [] }, closed]);
  });

  it.each<{ name: string; code: string; retryable: boolean }>([
    { name: 'a permanent refusal', code: 'validation_failed', retryable: false },
    { name: 'a refusal the server may accept later', code: 'conflict', retryable: true },
  ])('turns $name (4xx with an error body) into an error message for the batch', async ({ code, retryable }) => {
    const t = setup([resumeOk, json(400, { error: { code, message: 'events.0: invalid' } })]);
    await t.openNow();
    t.transport.send(batch);
    await t.flush();
    expect(t.inbound).toEqual([{ type: 'error', code, message: 'events.0: invalid', batchId: 'b1', retryable }]);
    expect(t.states.at(-1)).toEqual({ status: 'open' });
  });

  it.each<{ name: string; answer: Answer; reason: string }>([
    {
      name: 'rate limiting',
      answer: json(429, { error: { code: 'rate_limited', message: 'slow down' } }),
      reason: 'server answered HTTP 429: slow down',
    },
    {
      name: 'a refused key',
      answer: json(401, { error: { code: 'authentication_failed', message: 'key revoked' } }),
      reason: 'server answered HTTP 401: key revoked',
    },
    { name: 'a server error without a body', answer: { status: 502 }, reason: 'server answered HTTP 502' },
    {
      name: 'a success that is no sync message',
      answer: json(200, { hello: 'world' }),
      reason: 'server answered HTTP 200',
    },
    {
      name: 'a network error',
      answer: { networkError: 'Failed to fetch' },
      reason: 'request failed: Failed to fetch',
    },
  ])('closes on $name', async ({ answer, reason }) => {
    const t = setup([resumeOk, answer]);
    await t.openNow();
    t.transport.send(batch);
    await t.flush();
    expect(t.states.at(-1)).toEqual({ status: 'closed', reason });
    expect(t.inbound).toEqual([]);
  });

  it('times out a request that gets no answer, on the injected clock', async () => {
    const t = setup([resumeOk, 'hang']);
    await t.openNow();
    t.transport.send(batch);
    await t.clock.advance(TIMEOUT_MS - 1);
    expect(t.states.at(-1)).toEqual({ status: 'open' });
    await t.clock.advance(1);
    expect(t.states.at(-1)).toEqual({ status: 'closed', reason: 'request failed: This operation was aborted' });
  });

  it('sends nothing unless open, and delivers nothing after close()', async () => {
    const t = setup([resumeOk, json(200, ack)]);
    t.transport.send(batch);
    expect(t.seen).toEqual([]);
    await t.openNow();
    t.transport.send(batch);
    t.transport.close('switching back to websocket');
    await t.flush();
    expect(t.seen).toHaveLength(2);
    expect(t.inbound).toEqual([]);
    expect(t.states.map((s) => s.status)).toEqual(['connecting', 'open']);
  });

  it('after one request fails, answers to the others of that connection are dropped', async () => {
    const t = setup([resumeOk, 'hang', { networkError: 'reset' }, json(200, ack)]);
    await t.openNow();
    t.transport.send(batch);
    t.transport.send({ type: 'resume', sessionIds: [] });
    await t.flush();
    expect(t.states.at(-1)).toEqual({ status: 'closed', reason: 'request failed: reset' });
    await t.clock.advance(TIMEOUT_MS);
    expect(t.states.filter((s) => s.status === 'closed')).toHaveLength(1);
    expect(t.inbound).toEqual([]);
  });
});
