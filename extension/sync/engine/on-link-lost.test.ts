import { describe, expect, it } from 'vitest';
import { onLinkLost, STABLE_CONNECTION_MS, type LinkLoss, type LossVerdict } from './on-link-lost';
import {
  DEFAULT_TRANSPORT_POLICY,
  initialTransportPolicy,
  nextTransportPolicy,
  type TransportPolicyState,
} from './transport-policy';

const NOW = 1_000_000;
/** Two WebSocket failures in the last seconds: one more switches to HTTP. */
const twoFailures: TransportPolicyState = [NOW - 2_000, NOW - 1_000].reduce(
  (state, t) => nextTransportPolicy(state, { kind: 'ws_failed', now: t }),
  initialTransportPolicy(),
);

const loss = (overrides: Partial<LinkLoss>): LinkLoss => ({
  kind: 'ws',
  openedAt: undefined,
  cause: 'transport',
  reason: 'connect failed',
  now: NOW,
  attempt: 4,
  policy: initialTransportPolicy(),
  policyOptions: DEFAULT_TRANSPORT_POLICY,
  hasHttp: true,
  ...overrides,
});

/** The verdict without the policy, which the cases below check on its own. */
const summary = ({ policy, ...rest }: LossVerdict) => ({
  ...rest,
  mode: policy.mode,
  failures: policy.failures.length,
});

describe('onLinkLost', () => {
  it.each<{ name: string; loss: Partial<LinkLoss>; expected: ReturnType<typeof summary> }>([
    {
      name: 'a failed WebSocket connect counts against the socket and keeps backing off',
      loss: {},
      expected: {
        attempt: 4,
        mode: 'ws',
        failures: 1,
        error: { code: 'connection', message: 'ws: connect failed' },
      },
    },
    {
      name: 'the third failure within a minute switches to HTTP and starts the backoff over',
      loss: { policy: twoFailures },
      expected: { attempt: 0, mode: 'http', failures: 0, error: { code: 'connection', message: 'ws: connect failed' } },
    },
    {
      name: 'without an HTTP twin the backoff goes on (the engine keeps using the socket)',
      loss: { policy: twoFailures, hasHttp: false },
      expected: { attempt: 4, mode: 'http', failures: 0, error: { code: 'connection', message: 'ws: connect failed' } },
    },
    {
      name: 'a silent connection counts against the socket, with its own error code',
      loss: { cause: 'ack_timeout', reason: 'no answer for 30 s', openedAt: NOW - 5_000 },
      expected: {
        attempt: 4,
        mode: 'ws',
        failures: 1,
        error: { code: 'ack_timeout', message: 'ws: no answer for 30 s' },
      },
    },
    {
      name: 'a connection that stayed up a while was healthy: the backoff starts over',
      loss: { openedAt: NOW - STABLE_CONNECTION_MS, reason: 'connection closed (1006)' },
      expected: {
        attempt: 0,
        mode: 'ws',
        failures: 1,
        error: { code: 'connection', message: 'ws: connection closed (1006)' },
      },
    },
    {
      name: 'a server error is no failure of the socket, and shows no connection error',
      loss: { cause: 'server_error', reason: 'server error internal', policy: twoFailures },
      expected: { attempt: 4, mode: 'ws', failures: 2, error: undefined },
    },
    {
      name: 'the engine giving up after its own failure is no failure of the socket either',
      loss: { cause: 'internal', reason: 'internal error' },
      expected: { attempt: 4, mode: 'ws', failures: 0, error: undefined },
    },
    {
      name: 'an HTTP failure is reported but says nothing about the WebSocket',
      loss: { kind: 'http', reason: 'request failed: reset' },
      expected: {
        attempt: 4,
        mode: 'ws',
        failures: 0,
        error: { code: 'connection', message: 'http: request failed: reset' },
      },
    },
  ])('$name', ({ loss: overrides, expected }) => {
    expect(summary(onLinkLost(loss(overrides)))).toEqual(expected);
  });
});
