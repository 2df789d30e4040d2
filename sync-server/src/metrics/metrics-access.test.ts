import { describe, expect, it } from 'vitest';
import { loadSettings } from '../settings';
import { createAddressMatcher, isMetricsToken, parseMetricsAllowFrom } from './metrics-access';

describe('METRICS_ALLOW_FROM', () => {
  it('reads loopback, addresses and CIDR networks, and names each bad entry', () => {
    expect(parseMetricsAllowFrom(' loopback, 10.0.0.0/8,192.168.1.7 , fd00::/8')).toEqual({
      networks: ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '192.168.1.7/32', 'fd00::/8'],
      errors: [],
    });
    const bad = parseMetricsAllowFrom('10.0.0.0/33,example.com,1.2.3.4/8/1,::1/129,10.0.0.0/x');
    expect(bad.networks).toEqual([]);
    expect(bad.errors).toHaveLength(5);
    expect(bad.errors[1]).toContain('"example.com"');
  });

  it('matches peers inside the networks only, IPv4-mapped IPv6 as IPv4', () => {
    const allowed = createAddressMatcher(parseMetricsAllowFrom('loopback,10.0.0.0/8').networks);
    for (const peer of ['127.0.0.1', '127.8.9.10', '::1', '10.255.0.1', '::ffff:10.1.1.1', '::ffff:127.0.0.1'])
      expect(allowed(peer), peer).toBe(true);
    for (const peer of ['11.0.0.1', '192.168.0.1', '::2', '::ffff:11.0.0.1', 'unknown', ''])
      expect(allowed(peer), peer).toBe(false);
    expect(createAddressMatcher([])('127.0.0.1')).toBe(false);
  });

  it('is a setting: bad entries refuse to start, good ones are canonical', () => {
    const bad = loadSettings({ METRICS_ALLOW_FROM: 'everyone' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.join('\n')).toContain('METRICS_ALLOW_FROM');
    const good = loadSettings({ METRICS_ALLOW_FROM: '10.1.0.0/16' });
    expect(good.ok && good.value.metricsAllowFrom).toEqual(['10.1.0.0/16']);
    const none = loadSettings({});
    expect(none.ok && none.value.metricsAllowFrom).toEqual([]);
  });
});

describe('METRICS_TOKEN', () => {
  it('must be long enough to resist guessing, and is compared exactly', () => {
    expect(loadSettings({ METRICS_TOKEN: 'short' }).ok).toBe(false);
    const token = 'x'.repeat(40);
    const loaded = loadSettings({ METRICS_TOKEN: token });
    expect(loaded.ok && loaded.value.metricsToken).toBe(token);
    expect(isMetricsToken(token, token)).toBe(true);
    expect(isMetricsToken(`${token}x`, token)).toBe(false);
    expect(isMetricsToken('y'.repeat(40), token)).toBe(false);
  });
});
