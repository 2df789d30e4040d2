import { describe, expect, it } from 'vitest';
import { onLinkLost, STABLE_CONNECTION_MS, type LinkLoss, type LossVerdict } from './on-link-lost';

const NOW = 1_000_000;

const loss = (overrides: Partial<LinkLoss>): LinkLoss => ({
  kind: 'ws',
  openedAt: undefined,
  cause: 'transport',
  reason: 'connect failed',
  now: NOW,
  attempt: 4,
  ...overrides,
});

describe('onLinkLost', () => {
  it.each<{ name: string; loss: Partial<LinkLoss>; expected: LossVerdict }>([
    {
      name: 'a failed WebSocket connect may count against the socket and keeps backing off',
      loss: {},
      expected: {
        attempt: 4,
        wsFailure: { now: NOW, openedAt: undefined },
        error: { code: 'connection', message: 'ws: connect failed' },
      },
    },
    {
      name: 'a silent connection may count against the socket, with its own error code',
      loss: { cause: 'ack_timeout', reason: 'no answer for 30 s', openedAt: NOW - 5_000 },
      expected: {
        attempt: 4,
        wsFailure: { now: NOW, openedAt: NOW - 5_000 },
        error: { code: 'ack_timeout', message: 'ws: no answer for 30 s' },
      },
    },
    {
      name: 'a connection that stayed up a while was healthy: the backoff starts over',
      loss: { openedAt: NOW - STABLE_CONNECTION_MS, reason: 'connection closed (1006)' },
      expected: {
        attempt: 0,
        wsFailure: { now: NOW, openedAt: NOW - STABLE_CONNECTION_MS },
        error: { code: 'connection', message: 'ws: connection closed (1006)' },
      },
    },
    {
      name: 'a server error is no failure of the socket, and shows no connection error',
      loss: { cause: 'server_error', reason: 'server error internal' },
      expected: { attempt: 4, wsFailure: undefined, error: undefined },
    },
    {
      name: 'the engine giving up after its own failure is no failure of the socket either',
      loss: { cause: 'internal', reason: 'internal error' },
      expected: { attempt: 4, wsFailure: undefined, error: undefined },
    },
    {
      name: 'an HTTP failure is reported but says nothing about the WebSocket',
      loss: { kind: 'http', reason: 'request failed: reset' },
      expected: {
        attempt: 4,
        wsFailure: undefined,
        error: { code: 'connection', message: 'http: request failed: reset' },
      },
    },
  ])('$name', ({ loss: overrides, expected }) => {
    expect(onLinkLost(loss(overrides))).toEqual(expected);
  });
});
