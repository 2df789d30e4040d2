import { fail, ok } from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import type { WSContext } from 'hono/ws';
import { describe, expect, it } from 'vitest';
import type { Credential } from '../auth/principal';
import { createRateLimiter, type RateLimiter } from '../http/rate-limiter';
import { createLogger } from '../log';
import { DEFAULTS } from '../settings';
import { createConnectionEvents, type ConnectionDeps } from './connection';
import { createConnectionRegistry } from './connection-registry';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Settles until `done()` holds; fails instead of hanging when it never does. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await settle();
  if (!done()) throw new Error(`never happened: ${what}`);
}

/**
 * Many connections sharing one server's limiters and registry, as sockets of one instance do. Keys
 * `good-<worker>` are valid; every lookup is recorded. `holdLookups` keeps every key lookup waiting
 * until `releaseLookups`: the worst case, where a crowd's sockets are all unauthenticated together.
 */
function server(overrides: Partial<ConnectionDeps> = {}) {
  const clock = new FakeClock();
  const lookups: Credential[] = [];
  let held: (() => void)[] | undefined;
  const deps: ConnectionDeps = {
    authenticate: async (credential) => {
      lookups.push(credential);
      if (held) await new Promise<void>((resolve) => held!.push(resolve));
      const worker = /^good-(.+)$/.exec(credential.apiKey ?? '')?.[1];
      return worker
        ? ok({ kind: 'worker' as const, workerId: worker, keyId: `key-${worker}` })
        : fail('authentication_failed', 'invalid or revoked API key');
    },
    verifyCredential: () => Promise.resolve(true),
    handleMessage: (_p, m) => Promise.resolve({ type: 'ack', n: m.n }),
    registry: createConnectionRegistry(clock),
    keyLimiter: createRateLimiter(DEFAULTS.rateLimitPerMinute, clock),
    authFailureLimiter: createRateLimiter(DEFAULTS.rateLimitAuthFailuresPerMinuteIp, clock),
    logger: createLogger('silent'),
    clock,
    authTimeoutMs: DEFAULTS.authTimeoutMs,
    maxInflatedBytes: DEFAULTS.maxInflatedBytes,
    maxPendingAuth: DEFAULTS.wsMaxPendingAuth,
    maxPendingAuthPerIp: DEFAULTS.wsMaxPendingAuthPerIp,
    maxConnectionsPerKey: DEFAULTS.wsMaxConnectionsPerKey,
    credentialMaxAgeMs: 10_000,
    ...overrides,
  };

  /** Opens a socket from `ip`. */
  const open = (ip = '10.0.0.1') => {
    const sent: Record<string, unknown>[] = [];
    let closed: number | undefined;
    const ctx = {
      get readyState() {
        return closed === undefined ? 1 : 3;
      },
      send: (data: string) => sent.push(JSON.parse(data) as Record<string, unknown>),
      close: (code: number) => {
        closed = code;
      },
      raw: undefined,
    } as unknown as WSContext<unknown>;
    const events = createConnectionEvents(deps, ip);
    events.onOpen?.(new Event('open'), ctx);
    /** Sends `message` as JSON text, or an ArrayBuffer as a binary frame. */
    const send = (message: unknown) => {
      const data = message instanceof ArrayBuffer ? message : JSON.stringify(message);
      events.onMessage?.(new MessageEvent('message', { data }), ctx);
    };
    return { send, sent, closed: () => closed };
  };

  return {
    deps,
    lookups,
    open,
    holdLookups: () => {
      held = [];
    },
    releaseLookups: () => {
      for (const resolve of held ?? []) resolve();
      held = undefined;
    },
  };
}

/** A limiter that records every bucket it is asked about. */
function watched(limiter: RateLimiter): RateLimiter & { touched: Set<string> } {
  const touched = new Set<string>();
  const noted = <T>(key: string, answer: T): T => {
    touched.add(key);
    return answer;
  };
  return {
    take: (key) => noted(key, limiter.take(key)),
    hasToken: (key) => noted(key, limiter.hasToken(key)),
    charge: (key) => noted(key, limiter.charge(key)),
    retryAfterMs: (key) => noted(key, limiter.retryAfterMs(key)),
    size: () => limiter.size(),
    touched,
  };
}

describe('rate limits of sockets (issue 12)', () => {
  it('a thousand workers behind one address authenticate and send without rate_limited', async () => {
    // The default limits. Every socket connects and sends authenticate before any lookup answers (a
    // busy database at 9:00), then five messages: all one office NAT, each worker with its own key.
    const s = server();
    s.holdLookups();
    const sockets = Array.from({ length: 1000 }, () => s.open());
    sockets.forEach((socket, i) => socket.send({ type: 'authenticate', apiKey: `good-w${i}` }));
    await until(() => s.lookups.length === 1000, 'every key looked up');
    s.releaseLookups();
    await until(() => sockets.every((socket) => socket.sent.length === 1), 'every socket answered');
    for (const socket of sockets) for (let n = 1; n <= 5; n++) socket.send({ type: 'resume', n });
    await until(() => sockets.every((socket) => socket.sent.length === 6), 'every message answered');
    const replies = sockets.flatMap((socket) => socket.sent.map((m) => m.code ?? m.type));
    expect(replies.filter((r) => r === 'authentication_success')).toHaveLength(1000);
    expect(replies.filter((r) => r === 'ack')).toHaveLength(5000);
    expect(sockets.filter((socket) => socket.closed() !== undefined)).toHaveLength(0);
  });

  it('authenticated traffic is charged per key only (WebSocket)', async () => {
    const clock = new FakeClock();
    const keyLimiter = watched(createRateLimiter(3, clock));
    const authFailureLimiter = watched(createRateLimiter(1, clock));
    const s = server({ clock, keyLimiter, authFailureLimiter });
    const a = s.open();
    const b = s.open();
    a.send({ type: 'authenticate', apiKey: 'good-a' });
    b.send({ type: 'authenticate', apiKey: 'good-b' });
    await until(() => a.sent.length === 1 && b.sent.length === 1, 'both authenticated');
    for (let n = 1; n <= 4; n++) {
      a.send({ type: 'x', n });
      b.send({ type: 'x', n });
    }
    await until(() => a.sent.length === 5 && b.sent.length === 5, 'all answered');
    // Each worker its own 3 from one address; the fourth is refused in its place.
    for (const socket of [a, b]) {
      expect(socket.sent.slice(1).map((m) => m.code ?? m.type)).toEqual(['ack', 'ack', 'ack', 'rate_limited']);
    }
    expect([...keyLimiter.touched].sort()).toEqual(['worker:a', 'worker:b']);
    // The address was only asked whether it may authenticate (twice), never charged for a frame.
    expect([...authFailureLimiter.touched]).toEqual(['ip:10.0.0.1']);
    expect(authFailureLimiter.hasToken('ip:10.0.0.1')).toBe(true);
  });

  it('bad keys from one address are refused before authentication work once the address budget is spent (WebSocket)', async () => {
    const clock = new FakeClock();
    const s = server({ clock, authFailureLimiter: createRateLimiter(3, clock) });
    // Two wrong keys and a first frame that is not an authenticate: three failed authentications.
    const failed = [s.open(), s.open(), s.open()];
    failed[0]!.send({ type: 'authenticate', apiKey: 'guess-1' });
    failed[1]!.send({ type: 'authenticate', apiKey: 'guess-2' });
    failed[2]!.send({ type: 'batch' });
    await until(() => failed.every((socket) => socket.closed() !== undefined), 'three refused');
    expect(failed.map((socket) => socket.closed())).toEqual([4401, 4401, 4401]);
    expect(s.lookups).toHaveLength(2);
    // Spent: the next authenticate from the address, even with a good key, is refused unread, 1013.
    for (const apiKey of ['guess-3', 'good-w1']) {
      const refused = s.open();
      refused.send({ type: 'authenticate', apiKey });
      expect(refused.sent).toEqual([
        {
          type: 'authentication_failed',
          message: 'too many failed authentications from this address: retry in 20 s',
        },
      ]);
      expect(refused.closed()).toBe(1013);
    }
    expect(s.lookups).toHaveLength(2);
    // Another address is not affected; once a failure's worth refilled, the address is served again.
    const elsewhere = s.open('10.0.0.2');
    elsewhere.send({ type: 'authenticate', apiKey: 'good-w1' });
    await until(() => elsewhere.sent.length === 1, 'answered');
    expect(elsewhere.sent[0]).toMatchObject({ type: 'authentication_success' });
    await clock.advance(20_000);
    const later = s.open();
    later.send({ type: 'authenticate', apiKey: 'good-w1' });
    await until(() => later.sent.length === 1, 'answered');
    expect(later.sent[0]).toMatchObject({ type: 'authentication_success' });
  });

  it('makes a burst of bad keys looked up together pay for every failure', async () => {
    const clock = new FakeClock();
    const authFailureLimiter = createRateLimiter(4, clock);
    const s = server({ clock, authFailureLimiter });
    s.holdLookups();
    // Seven sockets pass the check together (the budget is not spent until a lookup fails)...
    const burst = Array.from({ length: 7 }, () => s.open());
    burst.forEach((socket, i) => socket.send({ type: 'authenticate', apiKey: `guess-${i}` }));
    await until(() => s.lookups.length === 7, 'seven lookups');
    s.releaseLookups();
    await until(() => burst.every((socket) => socket.closed() === 4401), 'seven refused');
    // ...and the address owes all seven: 4 tokens, 7 charged, 4 to refill at 15 s each.
    expect(authFailureLimiter.retryAfterMs('ip:10.0.0.1')).toBe(60_000);
  });

  it('charges a bad key even when its socket closed while the key was looked up', async () => {
    const clock = new FakeClock();
    const authFailureLimiter = createRateLimiter(1, clock);
    const s = server({ clock, authFailureLimiter });
    s.holdLookups();
    const socket = s.open();
    socket.send({ type: 'authenticate', apiKey: 'guess-1' });
    // A binary frame behind it closes the socket before the answer: the guess must not be free for that.
    socket.send(new Uint8Array([1, 2, 3]).buffer);
    expect(socket.closed()).toBe(4401);
    s.releaseLookups();
    await until(() => !authFailureLimiter.hasToken('ip:10.0.0.1'), 'the failure charged');
  });
});
