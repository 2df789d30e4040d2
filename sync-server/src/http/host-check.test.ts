import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from './app-env';
import { hostCheck, hostNameOf, hostPolicy, isAllowedHost } from './host-check';

const loopbackOnly = hostPolicy({ publicUrl: undefined, host: '127.0.0.1', allowedHosts: [] });
const deployed = hostPolicy({
  publicUrl: 'https://Collector.Example',
  host: '0.0.0.0',
  allowedHosts: ['collector-upstream'],
});

describe('hostNameOf', () => {
  it.each([
    ['127.0.0.1:3000', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['Collector.Example.:443', 'collector.example'],
    ['[::1]:3000', '::1'],
    ['[::1]', '::1'],
  ])('%s → %s', (header, name) => expect(hostNameOf(header)).toBe(name));

  it.each(['', 'a b', 'evil.example:port', '[not-ip]:80', 'user@host', 'host/path', 'x'.repeat(300)])(
    'refuses the malformed %j',
    (header) => expect(hostNameOf(header)).toBe(undefined),
  );
});

describe('isAllowedHost', () => {
  it.each([
    [undefined],
    ['127.0.0.1:3000'],
    ['localhost:5173'],
    ['LOCALHOST'],
    ['[::1]:3000'],
    ['collector.localhost:3000'],
    ['10.1.2.3:3000'],
  ])('accepts %s on a loopback-only server', (host) => expect(isAllowedHost(host, loopbackOnly)).toBe(true));

  it.each([['evil.example:3000'], ['rebind.attacker.example'], ['localhost.attacker.example'], ['127.0.0.1.nip.io']])(
    'refuses %s on a loopback-only server (DNS rebinding)',
    (host) => expect(isAllowedHost(host, loopbackOnly)).toBe(false),
  );

  it('accepts the PUBLIC_URL host and ALLOWED_HOSTS with any port, and no other name', () => {
    expect(isAllowedHost('collector.example', deployed)).toBe(true);
    expect(isAllowedHost('COLLECTOR.example:8443', deployed)).toBe(true);
    expect(isAllowedHost('collector-upstream:3000', deployed)).toBe(true);
    expect(isAllowedHost('other.example', deployed)).toBe(false);
    expect(isAllowedHost('sub.collector.example', deployed)).toBe(false);
  });

  it('accepts the HOST the server listens on when it is a name', () => {
    const named = hostPolicy({ publicUrl: undefined, host: 'devbox.lan', allowedHosts: [] });
    expect(isAllowedHost('devbox.lan:3000', named)).toBe(true);
  });
});

describe('hostCheck middleware', () => {
  const app = new Hono<AppEnv>();
  app.use(hostCheck({ publicUrl: undefined, host: '127.0.0.1', allowedHosts: [] }));
  app.get('/health', (c) => c.json({ ok: true }));

  it('passes an allowed host through', async () => {
    const res = await app.request('/health', { headers: { host: '127.0.0.1:3000' } });
    expect(res.status).toBe(200);
  });

  it('answers another host 403 with the JSON error, its echo bounded', async () => {
    const res = await app.request('/health', { headers: { host: `${'a'.repeat(200)}.example` } });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('forbidden');
    expect(body.error.message).toMatch(/is not served here: use the server's PUBLIC_URL/);
    expect(body.error.message.length).toBeLessThan(400);
  });
});
