import { describe, expect, it } from 'vitest';
import {
  initialTransportPolicy,
  nextProbeAt,
  nextTransportPolicy,
  type TransportEvent,
  type TransportPolicyState,
} from './transport-policy';

/** The policy after `events`, from a fresh start with the default options. */
const after = (events: TransportEvent[], from: TransportPolicyState = initialTransportPolicy()) =>
  events.reduce((state, event) => nextTransportPolicy(state, event), from);
const wsFailed = (now: number, openedAt?: number): TransportEvent => ({ kind: 'ws_failed', now, openedAt });

describe('transport policy', () => {
  it.each([
    { name: 'three failed connects within 60 s', failures: [0, 5_000, 20_000], mode: 'http' },
    { name: 'two failures', failures: [0, 5_000], mode: 'ws' },
    { name: 'three failures spread over more than 60 s', failures: [0, 40_000, 80_000], mode: 'ws' },
    { name: 'three within the last 60 s of a longer history', failures: [0, 70_000, 90_000, 100_000], mode: 'http' },
  ])('$name → $mode', ({ failures, mode }) => {
    expect(after(failures.map((t) => wsFailed(t))).mode).toBe(mode);
  });

  it('probes after 30 s, backs the probes off to a 10 min cap, and switches back on success', () => {
    let policy = after([0, 1, 2].map((t) => wsFailed(t)));
    expect(nextProbeAt(policy)).toBe(2 + 30_000);
    const gaps: number[] = [];
    let now = 30_002;
    for (let i = 0; i < 8; i++) {
      policy = nextTransportPolicy(policy, { kind: 'probe_failed', now });
      gaps.push(nextProbeAt(policy)! - now);
      now = nextProbeAt(policy)!;
    }
    expect(gaps).toEqual([60_000, 120_000, 240_000, 480_000, 600_000, 600_000, 600_000, 600_000]);
    policy = nextTransportPolicy(policy, { kind: 'probe_opened' });
    expect(policy.mode).toBe('ws');
    expect(nextProbeAt(policy)).toBeUndefined();
  });

  it('keeps a long probe interval for a socket that flaps right after a probe, resets it after a stable spell', () => {
    let policy = after([...[0, 1, 2].map((t) => wsFailed(t)), { kind: 'probe_failed', now: 30_002 }]); // 60 s now
    policy = after([{ kind: 'probe_opened' }, ...[100_000, 100_001, 100_002].map((t) => wsFailed(t, t - 10))], policy);
    expect(policy.mode).toBe('http');
    expect(nextProbeAt(policy)).toBe(100_002 + 60_000);
    policy = after(
      [
        { kind: 'probe_opened' },
        wsFailed(500_000, 200_000), // had been up for 5 minutes
        wsFailed(500_001),
        wsFailed(500_002),
      ],
      policy,
    );
    expect(nextProbeAt(policy)).toBe(500_002 + 30_000);
  });

  it('online returns to the WebSocket with a clean slate', () => {
    let policy = after([...[0, 1, 2].map((t) => wsFailed(t)), { kind: 'online' }]);
    expect(policy.mode).toBe('ws');
    policy = after([wsFailed(10), wsFailed(11)], policy);
    expect(policy.mode).toBe('ws');
  });

  it('never changes the state it is given', () => {
    const start = after([wsFailed(0), wsFailed(1)]);
    const copy = structuredClone(start);
    nextTransportPolicy(start, wsFailed(2));
    nextTransportPolicy(start, { kind: 'online' });
    expect(start).toEqual(copy);
  });
});
