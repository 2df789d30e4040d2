import { describe, expect, it } from 'vitest';
import { isSuccessStatus, parseJsonBody, sendBounded } from './media-http';
import { FakeClock } from '@codesight/schema/testing';

describe('sendBounded', () => {
  it('returns the status and body of any answer', async () => {
    const clock = new FakeClock();
    const fetch: typeof globalThis.fetch = () => Promise.resolve(new Response('nope', { status: 503 }));
    expect(await sendBounded({ fetch, clock }, 'http://h/x', {}, 1000, 'GET h')).toEqual({
      ok: true,
      value: { status: 503, text: 'nope' },
    });
    expect(clock.pendingTimers).toBe(0);
  });

  it('reports a network failure, named by `what`', async () => {
    const clock = new FakeClock();
    const fetch: typeof globalThis.fetch = () => Promise.reject(new TypeError('fetch failed'));
    expect(await sendBounded({ fetch, clock }, 'http://h/x', {}, 1000, 'GET h')).toEqual({
      ok: false,
      error: { code: 'network', message: 'GET h: fetch failed' },
    });
    expect(clock.pendingTimers).toBe(0);
  });

  it('aborts a request that does not answer in time', async () => {
    const clock = new FakeClock();
    const fetch: typeof globalThis.fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    let settled: Awaited<ReturnType<typeof sendBounded>> | undefined;
    void sendBounded({ fetch, clock }, 'http://h/x', {}, 2500, 'GET h').then((r) => (settled = r));
    await clock.advance(2499);
    expect(settled).toBeUndefined();
    await clock.advance(1);
    expect(settled).toEqual({ ok: false, error: { code: 'timeout', message: 'GET h: no answer within 3 s' } });
  });
});

describe('isSuccessStatus', () => {
  it.each([
    [199, false],
    [200, true],
    [201, true],
    [299, true],
    [300, false],
    [404, false],
  ])('%i: %s', (status, expected) => {
    expect(isSuccessStatus(status)).toBe(expected);
  });
});

describe('parseJsonBody', () => {
  it.each<[string, unknown]>([
    ['{"a":1}', { a: 1 }],
    ['<html>', undefined],
    ['', undefined],
  ])('%j', (text, expected) => {
    expect(parseJsonBody(text)).toEqual(expected);
  });
});
