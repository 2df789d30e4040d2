import { describe, expect, it } from 'vitest';
import { TransportPolicy } from './transport-policy';

describe('TransportPolicy', () => {
  it.each([
    { name: 'three failed connects within 60 s', failures: [0, 5_000, 20_000], mode: 'http' },
    { name: 'two failures', failures: [0, 5_000], mode: 'ws' },
    { name: 'three failures spread over more than 60 s', failures: [0, 40_000, 80_000], mode: 'ws' },
    { name: 'three within the last 60 s of a longer history', failures: [0, 70_000, 90_000, 100_000], mode: 'http' },
  ])('$name → $mode', ({ failures, mode }) => {
    const policy = new TransportPolicy();
    for (const t of failures) policy.recordWsFailure(t);
    expect(policy.mode).toBe(mode);
  });

  it('probes after 30 s, backs the probes off to a 10 min cap, and switches back on success', () => {
    const policy = new TransportPolicy();
    [0, 1, 2].forEach((t) => policy.recordWsFailure(t));
    expect(policy.nextProbeAt()).toBe(2 + 30_000);
    const gaps: number[] = [];
    let now = 30_002;
    for (let i = 0; i < 8; i++) {
      policy.recordProbeFailure(now);
      gaps.push(policy.nextProbeAt()! - now);
      now = policy.nextProbeAt()!;
    }
    expect(gaps).toEqual([60_000, 120_000, 240_000, 480_000, 600_000, 600_000, 600_000, 600_000]);
    policy.recordProbeSuccess();
    expect(policy.mode).toBe('ws');
    expect(policy.nextProbeAt()).toBeUndefined();
  });

  it('keeps a long probe interval for a socket that flaps right after a probe, resets it after a stable spell', () => {
    const policy = new TransportPolicy();
    [0, 1, 2].forEach((t) => policy.recordWsFailure(t));
    policy.recordProbeFailure(30_002); // interval now 60 s
    policy.recordProbeSuccess();
    [100_000, 100_001, 100_002].forEach((t) => policy.recordWsFailure(t, t - 10));
    expect(policy.mode).toBe('http');
    expect(policy.nextProbeAt()).toBe(100_002 + 60_000);
    policy.recordProbeSuccess();
    policy.recordWsFailure(500_000, 200_000); // had been up for 5 minutes
    policy.recordWsFailure(500_001);
    policy.recordWsFailure(500_002);
    expect(policy.nextProbeAt()).toBe(500_002 + 30_000);
  });

  it('reset() returns to the WebSocket with a clean slate', () => {
    const policy = new TransportPolicy();
    [0, 1, 2].forEach((t) => policy.recordWsFailure(t));
    policy.reset();
    expect(policy.mode).toBe('ws');
    policy.recordWsFailure(10);
    policy.recordWsFailure(11);
    expect(policy.mode).toBe('ws');
  });
});
