import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, setApiSession } from './api';

type Call = { url: string; init: RequestInit };

function stubFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Call[] = [];
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return Promise.resolve(
      new Response(status === 204 ? null : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json', ...headers },
      }),
    );
  });
  return calls;
}

const header = (call: Call | undefined, name: string) => new Headers(call?.init.headers).get(name);

afterEach(() => {
  vi.unstubAllGlobals();
  setApiSession({ csrfToken: () => null, onUnauthorized: () => undefined });
});

describe('api', () => {
  it('sends the CSRF token on state changes only, with the cookie of this origin', async () => {
    setApiSession({ csrfToken: () => 'csrf-1', onUnauthorized: () => undefined });
    const calls = stubFetch(200, { ok: true });
    await api('/api/workers');
    await api('/api/workers', { json: { name: 'Ada' } });
    await api('/api/keys/k1/revoke', { method: 'POST' });
    expect(calls.map((c) => [c.init.method, header(c, 'X-CSRF-Token'), c.init.credentials])).toEqual([
      ['GET', null, 'same-origin'],
      ['POST', 'csrf-1', 'same-origin'],
      ['POST', 'csrf-1', 'same-origin'],
    ]);
    expect(calls[1]?.init.body).toBe('{"name":"Ada"}');
  });

  it('ends the session on a 401, except where the caller expects one', async () => {
    const onUnauthorized = vi.fn();
    setApiSession({ csrfToken: () => null, onUnauthorized });
    stubFetch(401, { error: { code: 'not_authenticated', message: 'sign in' } });
    await expect(api('/api/workers')).rejects.toMatchObject({ status: 401, code: 'not_authenticated' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(api('/admin/api/me', { quiet401: true })).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("reads the server's refusal and its Retry-After", async () => {
    stubFetch(429, { error: { code: 'rate_limited', message: 'locked' } }, { 'Retry-After': '900' });
    await expect(api('/admin/api/sign-in', { json: {} })).rejects.toMatchObject({
      status: 429,
      code: 'rate_limited',
      message: 'locked',
      retryAfterSeconds: 900,
    });
  });
});
