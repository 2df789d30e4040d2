import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRANSPORT_POLICY,
  initialTransportPolicy,
  nextProbeAt,
  nextTransportPolicy,
  type TransportEvent,
  type TransportPolicyState,
} from './transport-policy';

/** The policy after `events`, from a fresh start with the default options. */
const after = (events: TransportEvent[], from: TransportPolicyState = initialTransportPolicy()) =>
  events.reduce((state, event) => nextTransportPolicy(state, event), from);
/** A WebSocket failure while HTTP to the same server worked (the default) or failed too. */
const wsFailed = (now: number, openedAt?: number, httpWorks = true): TransportEvent => ({
  kind: 'ws_failed',
  now,
  openedAt,
  httpWorks,
});
const outage = (now: number): TransportEvent => wsFailed(now, undefined, false);

describe('transport policy', () => {
  it.each([
    { name: 'three failed connects within 60 s', failures: [0, 5_000, 20_000], mode: 'http' },
    { name: 'two failures', failures: [0, 5_000], mode: 'ws' },
    { name: 'three failures spread over more than 60 s', failures: [0, 40_000, 80_000], mode: 'ws' },
    { name: 'three within the last 60 s of a longer history', failures: [0, 70_000, 90_000, 100_000], mode: 'http' },
  ])('HTTP works: $name → $mode', ({ failures, mode }) => {
    expect(after(failures.map((t) => wsFailed(t))).mode).toBe(mode);
  });

  it('server down or offline (HTTP fails too): any number of WebSocket failures keep the WebSocket', () => {
    const policy = after(Array.from({ length: 20 }, (_, i) => outage(i * 1_000)));
    expect(policy).toEqual(initialTransportPolicy());
  });

  it('a failure while HTTP fails too starts the count over: the ones before may have been the outage beginning', () => {
    expect(after([wsFailed(0), wsFailed(1_000), outage(2_000), wsFailed(3_000)]).mode).toBe('ws');
    expect(after([wsFailed(0), wsFailed(1_000), outage(2_000), wsFailed(3_000), wsFailed(4_000)]).mode).toBe('ws');
    expect(after([outage(0), wsFailed(1_000), wsFailed(2_000), wsFailed(3_000)]).mode).toBe('http');
  });

  it('probe interval is capped: 5 s, then doubling to 60 s, never more', () => {
    let policy = after([0, 1, 2].map((t) => wsFailed(t)));
    expect(nextProbeAt(policy)).toBe(2 + 5_000);
    const gaps: number[] = [];
    let now = 5_002;
    for (let i = 0; i < 8; i++) {
      policy = nextTransportPolicy(policy, { kind: 'probe_failed', now });
      gaps.push(nextProbeAt(policy)! - now);
      now = nextProbeAt(policy)!;
    }
    expect(gaps).toEqual([10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000, 60_000]);
    expect(DEFAULT_TRANSPORT_POLICY.maxProbeIntervalMs).toBe(60_000);
  });

  it('switches back to the WebSocket as soon as it opens', () => {
    let policy = after([0, 1, 2].map((t) => wsFailed(t)));
    expect(policy.mode).toBe('http');
    policy = nextTransportPolicy(policy, { kind: 'ws_opened' });
    expect(policy.mode).toBe('ws');
    expect(policy.failures).toEqual([]);
    expect(nextProbeAt(policy)).toBeUndefined();
  });

  it('a WebSocket that opens while in use keeps its failures: one that opens and drops again and again falls back', () => {
    const policy = after([wsFailed(0, -10), { kind: 'ws_opened' }, wsFailed(1_000, 990), { kind: 'ws_opened' }]);
    expect(policy.failures).toEqual([0, 1_000]);
    expect(after([wsFailed(2_000, 1_990)], policy).mode).toBe('http');
  });

  it('probes a socket that flaps right after a probe less often, resets the interval after a stable spell', () => {
    let policy = after([...[0, 1, 2].map((t) => wsFailed(t)), { kind: 'probe_failed', now: 5_002 }]); // 10 s now
    policy = after([{ kind: 'ws_opened' }, ...[100_000, 100_001, 100_002].map((t) => wsFailed(t, t - 10))], policy);
    expect(policy.mode).toBe('http');
    expect(nextProbeAt(policy)).toBe(100_002 + 20_000);
    policy = after(
      [
        { kind: 'ws_opened' },
        wsFailed(500_000, 200_000), // had been up for 5 minutes
        wsFailed(500_001),
        wsFailed(500_002),
      ],
      policy,
    );
    expect(nextProbeAt(policy)).toBe(500_002 + 5_000);
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
    nextTransportPolicy(start, outage(2));
    nextTransportPolicy(start, { kind: 'online' });
    expect(start).toEqual(copy);
  });
});
