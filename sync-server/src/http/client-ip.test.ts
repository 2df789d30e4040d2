import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { clientIp } from './client-ip';

const probe = (trustProxy: number) => {
  const app = new Hono();
  app.get('/', (c) => c.text(clientIp(c, trustProxy)));
  return app;
};
const env = { incoming: { socket: { remoteAddress: '10.0.0.5' } } };

describe('clientIp', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const res = await probe(0).request('/', { headers: { 'x-forwarded-for': '1.2.3.4' } }, env);
    expect(await res.text()).toBe('10.0.0.5');
  });

  it('takes the address added by the trusted proxy, not a spoofed one further left', async () => {
    const headers = { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' };
    expect(await (await probe(1).request('/', { headers }, env)).text()).toBe('203.0.113.9');
    expect(await (await probe(2).request('/', { headers }, env)).text()).toBe('6.6.6.6');
  });

  it('falls back to the socket address without the header, and copes without bindings', async () => {
    expect(await (await probe(1).request('/', {}, env)).text()).toBe('10.0.0.5');
    expect(await (await probe(0).request('/')).text()).toBe('unknown');
  });
});
