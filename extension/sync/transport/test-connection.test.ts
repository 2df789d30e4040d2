import { describe, expect, it } from 'vitest';
import { FakeClock } from '@codesight/schema/testing';
import { CONNECTION_TEST_TIMEOUT_MS, testConnection } from './test-connection';

type Answer = { status: number; body: string } | 'network-error' | 'hang';

/** A fetch that answers by path; records what it was asked. */
function fakeFetch(answers: Record<string, Answer>) {
  const asked: { url: string; authorization?: string }[] = [];
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = input instanceof Request ? input.url : input.toString();
    const authorization = new Headers(init?.headers).get('authorization') ?? undefined;
    asked.push({ url, ...(authorization ? { authorization } : {}) });
    const answer = answers[new URL(url).pathname] ?? { status: 404, body: 'not found' };
    if (answer === 'network-error') return Promise.reject(new TypeError('Failed to fetch'));
    if (answer === 'hang') {
      return new Promise((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    }
    return Promise.resolve(new Response(answer.body, { status: answer.status }));
  };
  return { fetch, asked };
}

const HEALTHY = { status: 200, body: JSON.stringify({ status: 'ok', uptimeSeconds: 5 }) };
const SESSIONS = { status: 200, body: JSON.stringify({ sessions: [] }) };
const settings = { serverUrl: 'wss://collector.example/extension-ws', apiKey: ' csk_abc ' };

describe('testConnection', () => {
  it('passes when the collector answers and takes the key, whichever address form was given', async () => {
    const { fetch, asked } = fakeFetch({ '/health': HEALTHY, '/api/extension/sessions': SESSIONS });
    const result = await testConnection(settings, { fetch, clock: new FakeClock() });
    expect(result).toEqual({ ok: true, value: { httpBase: 'https://collector.example', latencyMs: 0 } });
    expect(asked).toEqual([
      { url: 'https://collector.example/health' },
      { url: 'https://collector.example/api/extension/sessions?limit=1', authorization: 'Bearer csk_abc' },
    ]);
  });

  const cases: {
    name: string;
    settings?: typeof settings;
    answers: Record<string, Answer>;
    code: string;
    says: RegExp;
  }[] = [
    {
      name: 'an address that is not a URL',
      settings: { serverUrl: 'collector', apiKey: 'k' },
      answers: {},
      code: 'invalid_server_address',
      says: /not a URL/,
    },
    {
      name: 'no key',
      settings: { serverUrl: 'https://c.example', apiKey: '  ' },
      answers: {},
      code: 'missing_key',
      says: /API key/,
    },
    {
      name: 'nothing listening',
      answers: { '/health': 'network-error' },
      code: 'unreachable',
      says: /no answer from https:\/\/collector.example/,
    },
    {
      name: 'something else at that address',
      answers: { '/health': { status: 200, body: '<html>' } },
      code: 'not_a_collector',
      says: /not as a CodeSight collector/,
    },
    {
      name: 'a 404 for /health',
      answers: { '/health': { status: 404, body: '' } },
      code: 'not_a_collector',
      says: /HTTP 404/,
    },
    {
      name: 'a refused key',
      answers: { '/health': HEALTHY, '/api/extension/sessions': { status: 401, body: '{}' } },
      code: 'refused_key',
      says: /refused the API key/,
    },
    {
      name: 'a server failing',
      answers: { '/health': HEALTHY, '/api/extension/sessions': { status: 503, body: '{}' } },
      code: 'server_error',
      says: /HTTP 503/,
    },
  ];
  for (const c of cases) {
    it(`says what is wrong: ${c.name}`, async () => {
      const { fetch } = fakeFetch(c.answers);
      const result = await testConnection(c.settings ?? settings, { fetch, clock: new FakeClock() });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe(c.code);
      expect(result.error.message).toMatch(c.says);
    });
  }

  it('gives up on a server that never answers after the time bound', async () => {
    const clock = new FakeClock();
    const { fetch } = fakeFetch({ '/health': 'hang' });
    const pending = testConnection(settings, { fetch, clock });
    await clock.advance(CONNECTION_TEST_TIMEOUT_MS);
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatchObject({
        code: 'unreachable',
        message: expect.stringMatching(/within 8 s/) as unknown,
      });
  });
});
