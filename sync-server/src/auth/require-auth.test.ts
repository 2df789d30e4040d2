import { fail, ok } from '@codesight/schema';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../http/app-env';
import { errorResponse } from '../http/errors';
import { createRateLimiter } from '../http/rate-limiter';
import { DEFAULTS } from '../settings';
import type { Authenticator } from './authenticator';
import type { Credential } from './principal';
import { authenticateRequest, requireAuth } from './require-auth';

interface Limits {
  perKey: number;
  perAddress: number;
  failuresPerAddress: number;
}

/**
 * The credential check and rate limits in front of a few stand-in routes, on a fake clock. Keys
 * `good-<worker>` are valid; every lookup is recorded, so a test can tell whether any work was done.
 */
function setup(limits: Partial<Limits> = {}) {
  const { perKey, perAddress, failuresPerAddress } = {
    perKey: DEFAULTS.rateLimitPerMinute,
    perAddress: DEFAULTS.rateLimitPerMinuteIp,
    failuresPerAddress: DEFAULTS.rateLimitAuthFailuresPerMinuteIp,
    ...limits,
  };
  let now = 0;
  const clock = { now: () => now };
  const lookups: Credential[] = [];
  let databaseDown = false;
  const revoked = new Set<string>();
  const auth: Authenticator = {
    authenticate(credential) {
      lookups.push(credential);
      if (databaseDown) return Promise.reject(new Error('database down'));
      const worker = revoked.has(credential.apiKey ?? '')
        ? undefined
        : /^good-(.+)$/.exec(credential.apiKey ?? '')?.[1];
      return Promise.resolve(
        worker
          ? ok({ kind: 'worker' as const, workerId: worker, keyId: `key-${worker}` })
          : fail('authentication_failed', 'invalid or revoked API key'),
      );
    },
  };
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('clientIp', c.req.header('x-test-ip') ?? '10.0.0.1');
    await next();
  });
  app.use(
    authenticateRequest({
      auth,
      keyLimiter: createRateLimiter(perKey, clock),
      addressLimiter: createRateLimiter(perAddress, clock),
      authFailureLimiter: createRateLimiter(failuresPerAddress, clock),
      isCapabilityRequest: (c) => c.req.method === 'PUT',
    }),
  );
  // Stand-ins: a public route, the WebSocket upgrade (no credential: the key comes in the first message),
  // a worker route, and an upload PUT whose id is its credential.
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ws', (c) => c.text('upgraded'));
  app.post('/api/sync/resume', requireAuth('worker'), (c) => c.json({ sessions: [] }));
  app.put('/api/upload/:id', (c) =>
    c.req.param('id') === 'live' ? c.json({ stored: true }) : errorResponse(c, 'not_found', 'no such upload'),
  );
  app.onError((_err, c) => errorResponse(c, 'internal', 'internal server error'));

  const request = (path: string, options: { key?: string; ip?: string; method?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    if (options.ip !== undefined) headers['x-test-ip'] = options.ip;
    const method = options.method ?? (path === '/api/sync/resume' ? 'POST' : 'GET');
    return app.request(path, { method, headers });
  };
  return {
    request,
    lookups,
    advance: (ms: number) => {
      now += ms;
    },
    setDatabaseDown: (down: boolean) => {
      databaseDown = down;
    },
    revoke: (key: string) => revoked.add(key),
  };
}

async function codeOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('rate limits of HTTP requests (issue 12)', () => {
  it('a thousand workers behind one address reconnect (upgrade and HTTP resume each) without rate_limited', async () => {
    // The default limits: one office NAT, 1,000 workers with their own keys, all at once, twice over.
    const s = setup();
    const statuses = new Map<number, number>();
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(
        Array.from({ length: 1000 }, async (_, i) => [
          await s.request('/ws'),
          await s.request('/api/sync/resume', { key: `good-w${i}` }),
          await s.request('/api/sync/resume', { key: `good-w${i}` }),
        ]),
      );
      for (const res of answers.flat()) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(statuses).toEqual(new Map([[200, 6000]]));
  });

  it('authenticated traffic is charged per key only (HTTP)', async () => {
    const s = setup({ perKey: 3, perAddress: 2 });
    // Each worker gets its own 3, however many share the address: the address's 2 is never touched.
    for (const worker of ['a', 'b', 'c']) {
      for (let i = 0; i < 3; i++)
        expect((await s.request('/api/sync/resume', { key: `good-${worker}` })).status).toBe(200);
    }
    const refused = await s.request('/api/sync/resume', { key: 'good-a' });
    expect(refused.status).toBe(429);
    expect(await codeOf(refused)).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBe(20);
    // A key's bucket is the same from any address.
    expect((await s.request('/api/sync/resume', { key: 'good-a', ip: '10.0.0.2' })).status).toBe(429);
    // Requests without a credential still have the address's whole budget.
    expect((await s.request('/health')).status).toBe(200);
    expect((await s.request('/ws')).status).toBe(200);
    const unauthenticated = await s.request('/health');
    expect(unauthenticated.status).toBe(429);
    expect(unauthenticated.headers.get('retry-after')).toBe('30');
    // ...and using it up costs the workers nothing.
    expect((await s.request('/api/sync/resume', { key: 'good-d' })).status).toBe(200);
  });

  it('a valid key whose budget is spent is refused again without a lookup until it refills (a leaked key flooding)', async () => {
    const s = setup({ perKey: 3 });
    for (let i = 0; i < 3; i++) expect((await s.request('/api/sync/resume', { key: 'good-a' })).status).toBe(200);
    expect((await s.request('/api/sync/resume', { key: 'good-a' })).status).toBe(429);
    expect(s.lookups).toHaveLength(4); // the refusal that learnt the budget is spent
    for (let i = 0; i < 50; i++) {
      const res = await s.request('/api/sync/resume', { key: 'good-a', ip: `10.0.1.${i}` });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('20');
    }
    expect(s.lookups).toHaveLength(4);
    // Another key of nobody's spent budget is looked up as usual.
    expect((await s.request('/api/sync/resume', { key: 'good-b' })).status).toBe(200);
    expect(s.lookups).toHaveLength(5);
    // Once the bucket has a token the key is looked up again, so a revocation meanwhile is seen.
    s.revoke('good-a');
    s.advance(20_000);
    const after = await s.request('/api/sync/resume', { key: 'good-a' });
    expect(after.status).toBe(401);
    expect(s.lookups).toHaveLength(6);
  });

  it('bad keys from one address are refused before authentication work once the address budget is spent (HTTP)', async () => {
    const s = setup({ failuresPerAddress: 3 });
    for (let i = 0; i < 3; i++) {
      const res = await s.request('/api/sync/resume', { key: `guess-${i}` });
      expect(res.status).toBe(401);
      expect(await codeOf(res)).toBe('authentication_failed');
    }
    expect(s.lookups).toHaveLength(3);
    // Spent: the next credential from the address, good or bad, is not looked up.
    for (const key of ['guess-3', 'good-w1']) {
      const refused = await s.request('/api/sync/resume', { key });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
        'too many failed authentications from this address; retry in 20 s',
      );
      expect(refused.headers.get('retry-after')).toBe('20');
    }
    expect(s.lookups).toHaveLength(3);
    // Requests without a credential are another budget; other addresses are not affected.
    expect((await s.request('/ws')).status).toBe(200);
    expect((await s.request('/api/sync/resume', { key: 'good-w1', ip: '10.0.0.2' })).status).toBe(200);
    // Once a failure's worth has refilled, a credential is checked again.
    s.advance(20_000);
    expect((await s.request('/api/sync/resume', { key: 'good-w1' })).status).toBe(200);
  });

  it('charges a bad credential on a public route as a failure: a fake header buys no free requests', async () => {
    const s = setup({ perAddress: 1, failuresPerAddress: 2 });
    expect((await s.request('/health', { key: 'junk' })).status).toBe(200);
    expect((await s.request('/health', { key: 'junk' })).status).toBe(200);
    expect((await s.request('/health', { key: 'junk' })).status).toBe(429);
    expect(s.lookups).toHaveLength(2);
  });

  it('answers 500 on a worker route when the credential cannot be checked, serves public routes, charges nothing', async () => {
    const s = setup({ failuresPerAddress: 1 });
    s.setDatabaseDown(true);
    expect((await s.request('/api/sync/resume', { key: 'good-w1' })).status).toBe(500);
    expect((await s.request('/health', { key: 'good-w1' })).status).toBe(200);
    s.setDatabaseDown(false);
    expect((await s.request('/api/sync/resume', { key: 'good-w1' })).status).toBe(200);
    expect((await s.request('/api/sync/resume')).status).toBe(401);
  });

  it('lets upload PUTs through on their id without charging the address; an unknown id is a failed authentication', async () => {
    const s = setup({ perAddress: 1, failuresPerAddress: 2 });
    for (let i = 0; i < 10; i++) expect((await s.request('/api/upload/live', { method: 'PUT' })).status).toBe(200);
    expect((await s.request('/api/upload/guess-1', { method: 'PUT' })).status).toBe(404);
    expect((await s.request('/api/upload/guess-2', { method: 'PUT' })).status).toBe(404);
    const refused = await s.request('/api/upload/live', { method: 'PUT' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    // The address's own budget (one request without a credential) was never touched.
    expect((await s.request('/health')).status).toBe(200);
  });
});
