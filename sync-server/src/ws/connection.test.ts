import { describe, expect, it } from 'vitest';
import type { WSContext } from 'hono/ws';
import { encodeCompressed, fail, makePrivacyPolicy, ok } from '@codesight/schema';
import { createRateLimiter } from '../http/rate-limiter';
import { createLogger } from '../log';
import type { Reply } from '../protocol/protocol-context';
import { createConnectionEvents, type ConnectionDeps } from './connection';
import { createConnectionRegistry } from './connection-registry';
import type { ClientMessage } from './frame-decoder';
import { FakeClock } from '@codesight/schema/testing';

/** Lets every promise chain that is not waiting for a gate or a timer run to its end. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Settles until `done()` holds; fails instead of hanging when it never does. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await settle();
  if (!done()) throw new Error(`never happened: ${what}`);
}

/** A promise the test resolves when it chooses: holds a handler "in the database" for as long as needed. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A fake socket context recording what the connection sent and how it closed. */
function fakeSocket() {
  const sent: Record<string, unknown>[] = [];
  let closed: { code?: number; reason?: string } | undefined;
  const ctx = {
    get readyState() {
      return closed ? 3 : 1;
    },
    send: (data: string) => sent.push(JSON.parse(data) as Record<string, unknown>),
    close: (code?: number, reason?: string) => {
      closed = { code, reason };
    },
    raw: undefined,
  } as unknown as WSContext<unknown>;
  return { ctx, sent, closed: () => closed };
}

/** The name a message is logged and gated under: `type:sessionId:n`. */
const nameOf = (m: Record<string, unknown>) =>
  `${String(m.type)}:${typeof m.sessionId === 'string' ? m.sessionId : ''}:${typeof m.n === 'number' ? m.n : ''}`;

function setup(overrides: Partial<ConnectionDeps> = {}, ip = '10.0.0.1') {
  const clock = new FakeClock();
  const registry = createConnectionRegistry(clock);
  const handled: string[] = [];
  /** Messages (by name) whose handler waits for the gate. */
  const gates = new Map<string, ReturnType<typeof gate>>();
  const deps: ConnectionDeps = {
    authenticate: (c) =>
      Promise.resolve(
        c.apiKey === 'good'
          ? ok({ kind: 'worker' as const, workerId: 'w1', keyId: 'k1' })
          : fail('authentication_failed', 'invalid or revoked API key'),
      ),
    handleMessage: async (_p, m: ClientMessage): Promise<Reply> => {
      await gates.get(nameOf(m))?.opened;
      handled.push(String(m.n));
      return { type: 'ack', n: m.n };
    },
    registry,
    keyLimiter: createRateLimiter(1000, clock),
    authFailureLimiter: createRateLimiter(1000, clock),
    logger: createLogger('silent'),
    clock,
    verifyCredential: () => Promise.resolve(true),
    authTimeoutMs: 200,
    maxInflatedBytes: 10_000,
    maxPendingAuth: 1000,
    maxPendingAuthPerIp: 100,
    maxConnectionsPerKey: 100,
    credentialMaxAgeMs: 10_000,
    ...overrides,
  };
  const socket = fakeSocket();
  const events = createConnectionEvents(deps, ip);
  events.onOpen?.(new Event('open'), socket.ctx);
  const receive = (data: string | ArrayBuffer) => events.onMessage?.(new MessageEvent('message', { data }), socket.ctx);
  const close = () =>
    events.onClose?.(Object.assign(new Event('close'), { code: 1000, reason: '', wasClean: true }), socket.ctx);
  /** Holds the handler of the message named `name` until the returned function is called. */
  const hold = (name: string) => {
    const g = gate();
    gates.set(name, g);
    return g.open;
  };
  return { deps, clock, registry, socket, receive, close, handled, hold };
}

const text = (v: unknown) => JSON.stringify(v);
const binary = (v: unknown) => encodeCompressed(v).slice().buffer;

describe('connection', () => {
  it('authenticates first, queues frames sent before the reply, and answers in order', async () => {
    const s = setup();
    // Later messages would finish first if not serialized: the first one is held.
    const release = s.hold('interaction_data::1');
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    for (let n = 1; n <= 5; n++) s.receive(text({ type: 'interaction_data', n }));
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    await settle();
    expect(s.handled).toEqual([]);
    release();
    await until(() => s.socket.sent.length === 6, 'five replies');
    expect(s.socket.sent[0]).toMatchObject({ type: 'authentication_success', workerId: 'w1' });
    expect(s.socket.sent.slice(1).map((m) => m.n)).toEqual([1, 2, 3, 4, 5]);
    expect(s.registry.counts()).toEqual({ open: 1, authenticated: 1 });
    s.close();
    expect(s.registry.counts().open).toBe(0);
  });

  it('hands the privacy policy to a client that names its sync protocol, and answers an old one as before', async () => {
    const privacyPolicy = makePrivacyPolicy({ mode: 'strict', blockSelectors: [], maskFields: ['badge'] });
    const modern = setup({ privacyPolicy });
    modern.receive(text({ type: 'authenticate', apiKey: 'good', v: 1 }));
    await until(() => modern.socket.sent.length === 1, 'authentication answered');
    expect(modern.socket.sent[0]).toEqual({
      type: 'authentication_success',
      workerId: 'w1',
      serverTime: modern.clock.now(),
      privacyPolicy,
    });
    const old = setup({ privacyPolicy });
    old.receive(text({ type: 'authenticate', apiKey: 'good' }));
    await until(() => old.socket.sent.length === 1, 'authentication answered');
    expect(old.socket.sent[0]).toEqual({ type: 'authentication_success', workerId: 'w1', serverTime: old.clock.now() });
  });

  it('closes 4401 on a bad key, on a first message that is not authenticate, and on timeout', async () => {
    const bad = setup();
    bad.receive(text({ type: 'authenticate', apiKey: 'bad' }));
    bad.receive(text({ type: 'interaction_data', n: 1 }));
    await until(() => bad.socket.closed() !== undefined, 'closed after a bad key');
    await settle();
    expect(bad.socket.sent).toEqual([{ type: 'authentication_failed', message: 'invalid or revoked API key' }]);
    expect(bad.socket.closed()?.code).toBe(4401);
    expect(bad.handled).toEqual([]);

    const early = setup();
    early.receive(text({ type: 'batch' }));
    await until(() => early.socket.closed() !== undefined, 'closed after a first message that is not authenticate');
    expect(early.socket.closed()?.code).toBe(4401);

    const idle = setup();
    await idle.clock.advance(199);
    expect(idle.socket.closed()).toBeUndefined();
    await idle.clock.advance(1);
    expect(idle.socket.sent[0]).toMatchObject({
      type: 'authentication_failed',
      message: expect.stringMatching(/timed out/) as unknown,
    });
    expect(idle.socket.closed()?.code).toBe(4401);
  });

  it('refuses malformed frames without closing and survives a handler that throws', async () => {
    const s = setup({
      handleMessage: (_p, m) => {
        if (m.type === 'boom') return Promise.reject(new Error('database exploded'));
        return Promise.resolve({ type: 'ack' });
      },
    });
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    // Binary frames are read only once authentication was answered.
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    s.receive('{oops');
    s.receive(text('just a string'));
    s.receive(text({ notype: 1 }));
    s.receive(new Uint8Array([1, 2, 3]).buffer);
    s.receive(binary({ pad: 'x'.repeat(20_000), type: 'batch' }));
    s.receive(text({ type: 'boom', batchId: 'b7' }));
    s.receive(text({ type: 'fine' }));
    await until(() => s.socket.sent.length === 8, 'seven replies');
    expect(s.socket.sent.slice(1).map((m) => m.code ?? m.type)).toEqual([
      'invalid_json',
      'bad_request',
      'bad_request',
      'invalid_json',
      'payload_too_large',
      'internal',
      'ack',
    ]);
    expect(s.socket.sent[6]).toMatchObject({
      batchId: 'b7',
      retryable: true,
      message: expect.not.stringContaining('exploded') as unknown,
    });
    expect(s.socket.closed()).toBeUndefined();
  });

  it('answers rate_limited when the key bucket is empty and closes when the flood persists', async () => {
    const clock = new FakeClock();
    const s = setup({ clock, keyLimiter: createRateLimiter(2, clock) });
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    for (let i = 0; i < 3; i++) s.receive(text({ type: 'x', n: i }));
    await until(() => s.socket.sent.length === 4, 'three replies');
    expect(s.socket.sent.slice(1).map((m) => m.code ?? m.type)).toEqual(['ack', 'ack', 'rate_limited']);
    // Two a minute: the next token is 30 s away, and the refusal says so.
    expect(s.socket.sent[3]).toMatchObject({
      retryAfterMs: 30_000,
      message: 'rate limit exceeded: resend this message in 30 s',
    });
    for (let i = 0; i < 120; i++) s.receive(text({ type: 'x' }));
    expect(s.socket.closed()).toEqual({ code: 1008, reason: 'rate limit exceeded persistently' });
  });

  it('on shutdown refuses new frames, finishes accepted ones, then closes 1001', async () => {
    const s = setup();
    const release = s.hold('x::1');
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    s.receive(text({ type: 'x', n: 1 }));
    const closing = s.registry.closeAll('server shutting down', 1000);
    s.receive(text({ type: 'x', n: 2 }));
    await until(() => s.socket.sent.length === 2, 'authentication answered');
    await settle();
    expect(s.socket.closed()).toBeUndefined(); // still storing message 1
    release();
    await closing;
    expect(s.handled).toEqual(['1']);
    expect(s.socket.sent.map((m) => m.code ?? m.type)).toEqual(['unavailable', 'authentication_success', 'ack']);
    expect(s.socket.closed()).toEqual({ code: 1001, reason: 'server shutting down' });
  });
});

describe('connection limits and revocation (issue 10)', () => {
  const worker = { kind: 'worker' as const, workerId: 'w1', keyId: 'k1' };

  it('handles nothing more once closed for flooding: what was queued is dropped unread', async () => {
    const clock = new FakeClock();
    const s = setup({ clock, keyLimiter: createRateLimiter(5, clock) });
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    const release = s.hold('x::1');
    for (let n = 1; n <= 5; n++) s.receive(text({ type: 'x', n }));
    await settle(); // message 1 is being stored, 2..5 wait in the queue
    for (let i = 0; i < 120; i++) s.receive(text({ type: 'x' }));
    expect(s.socket.closed()).toEqual({ code: 1008, reason: 'rate limit exceeded persistently' });
    release();
    await settle();
    await settle();
    expect(s.handled).toEqual(['1']);
  });

  it('closes 4401 when the credential is revoked, and handles nothing queued behind', async () => {
    const s = setup();
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    const release = s.hold('x::1');
    for (let n = 1; n <= 3; n++) s.receive(text({ type: 'x', n }));
    await settle();
    expect(
      s.registry.revokeWhere(
        () => true,
        () => 'API key revoked',
      ),
    ).toBe(1);
    expect(s.socket.sent.at(-1)).toEqual({ type: 'authentication_failed', message: 'API key revoked' });
    expect(s.socket.closed()?.code).toBe(4401);
    expect(s.registry.counts()).toEqual({ open: 0, authenticated: 0 });
    release();
    await settle();
    await settle();
    expect(s.handled).toEqual(['1']); // the one already being stored when the revocation came
  });

  it('checks a stale credential before handling a message: revoked is not handled, unknown is retryable', async () => {
    let valid: boolean | 'down' = true;
    const s = setup({
      credentialMaxAgeMs: 1000,
      verifyCredential: () => (valid === 'down' ? Promise.reject(new Error('database down')) : Promise.resolve(valid)),
    });
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    await s.clock.advance(1001);
    valid = 'down';
    s.receive(text({ type: 'batch', sessionId: 'A', batchId: 'b1', n: 1 }));
    await until(() => s.socket.sent.length === 2, 'answered');
    expect(s.socket.sent[1]).toMatchObject({ type: 'error', code: 'internal', batchId: 'b1', retryable: true });
    expect(s.handled).toEqual([]);
    valid = true;
    s.receive(text({ type: 'x', n: 2 }));
    await until(() => s.socket.sent.length === 3, 'answered');
    expect(s.handled).toEqual(['2']);
    await s.clock.advance(1001);
    valid = false;
    s.receive(text({ type: 'x', n: 3 }));
    await until(() => s.socket.closed() !== undefined, 'closed');
    expect(s.socket.sent.at(-1)).toEqual({
      type: 'authentication_failed',
      message: 'API key revoked or worker disabled',
    });
    expect(s.socket.closed()?.code).toBe(4401);
    expect(s.handled).toEqual(['2']);
  });

  it('closes an admin socket when its token expires', async () => {
    const clock = new FakeClock();
    const s = setup({
      clock,
      authenticate: () =>
        Promise.resolve(ok({ kind: 'admin' as const, subject: 'ops', expiresAt: clock.now() + 60_000 })),
    });
    s.receive(text({ type: 'authenticate', token: 'jwt' }));
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    await clock.advance(59_999);
    expect(s.socket.closed()).toBeUndefined();
    await clock.advance(1);
    expect(s.socket.sent.at(-1)).toEqual({ type: 'authentication_failed', message: 'admin token expired' });
    expect(s.socket.closed()?.code).toBe(4401);
  });

  it('refuses a socket over the per-IP cap of sockets awaiting authentication (1013)', async () => {
    const first = setup({ maxPendingAuthPerIp: 2 });
    const more = () => setup({ registry: first.registry, maxPendingAuthPerIp: 2 });
    const second = more();
    const third = more();
    expect(second.socket.closed()).toBeUndefined();
    expect(third.socket.sent).toEqual([
      {
        type: 'authentication_failed',
        message: 'too many connections awaiting authentication from this address (at most 2): retry later',
      },
    ]);
    expect(third.socket.closed()?.code).toBe(1013);
    // Once one authenticated, there is room again.
    first.receive(text({ type: 'authenticate', apiKey: 'good' }));
    await until(() => first.socket.sent.length === 1, 'authenticated');
    expect(more().socket.closed()).toBeUndefined();
  });

  it('refuses a socket over the process-wide cap of sockets awaiting authentication, whatever its address (1013)', async () => {
    // Regression: only the per-address cap existed, so sockets from many addresses, each under it,
    // could pin unbounded memory before sending a key.
    const caps = { maxPendingAuth: 3, maxPendingAuthPerIp: 100 };
    const first = setup(caps, '10.0.0.1');
    const more = (ip: string) => setup({ ...caps, registry: first.registry }, ip);
    const others = [more('10.0.0.2'), more('10.0.0.3')];
    const fourth = more('10.0.0.4');
    expect(others.map((o) => o.socket.closed())).toEqual([undefined, undefined]);
    expect(fourth.socket.sent).toEqual([
      {
        type: 'authentication_failed',
        message: 'too many connections awaiting authentication on this server (at most 3): retry later',
      },
    ]);
    expect(fourth.socket.closed()?.code).toBe(1013);
    // A refused socket leaves the count when it closes; an authenticated one stops counting.
    fourth.close();
    first.receive(text({ type: 'authenticate', apiKey: 'good' }));
    await until(() => first.socket.sent.length === 1, 'authenticated');
    expect(first.registry.awaitingAuth()).toBe(2);
    expect(more('10.0.0.5').socket.closed()).toBeUndefined();
    expect(more('10.0.0.6').socket.closed()?.code).toBe(1013);
  });

  it('refuses an authentication over the per-key cap of open sockets (1013)', async () => {
    const first = setup({ maxConnectionsPerKey: 1 });
    first.receive(text({ type: 'authenticate', apiKey: 'good' }));
    await until(() => first.socket.sent.length === 1, 'authenticated');
    const second = setup({ registry: first.registry, maxConnectionsPerKey: 1 });
    second.receive(text({ type: 'authenticate', apiKey: 'good' }));
    second.receive(text({ type: 'x', n: 1 }));
    await until(() => second.socket.closed() !== undefined, 'refused');
    expect(second.socket.sent).toEqual([
      {
        type: 'authentication_failed',
        message: 'too many open connections for this API key (at most 1): close one or retry later',
      },
    ]);
    expect(second.socket.closed()?.code).toBe(1013);
    expect(second.handled).toEqual([]);
    expect(first.registry.openWith(worker)).toBe(1);
  });
});

describe('connection queues', () => {
  /** A handler that records when each message starts and ends, and replies naming it. */
  function recordingSetup() {
    const log: string[] = [];
    const s = setup();
    const gates = new Map<string, ReturnType<typeof gate>>();
    s.deps.handleMessage = async (_p, m) => {
      const name = nameOf(m);
      log.push(`start ${name}`);
      await gates.get(name)?.opened;
      log.push(`end ${name}`);
      return { type: `${m.type}_reply`, sessionId: m.sessionId, n: m.n };
    };
    const hold = (name: string) => {
      const g = gate();
      gates.set(name, g);
      return g.open;
    };
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    return { ...s, log, hold };
  }
  const replies = (sent: Record<string, unknown>[]) =>
    sent.slice(1).map((m) => `${String(m.type)}:${String(m.sessionId)}:${String(m.n)}`);

  it('stores two sessions\u2019 interleaved batches concurrently, each session in order', async () => {
    const s = recordingSetup();
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    const releaseA1 = s.hold('batch:A:1');
    s.receive(text({ type: 'batch', sessionId: 'A', n: 1 }));
    s.receive(binary({ type: 'batch', sessionId: 'B', n: 1 }));
    s.receive(text({ type: 'batch', sessionId: 'A', n: 2 }));
    s.receive(text({ type: 'batch', sessionId: 'B', n: 2 }));
    // B's batches do not wait for A's slow one ...
    await until(() => s.socket.sent.length === 3, 'B answered');
    expect(s.log).not.toContain('start batch:A:2');
    releaseA1();
    await until(() => s.socket.sent.length === 5, 'A answered');
    expect(replies(s.socket.sent)).toEqual([
      'batch_reply:B:1',
      'batch_reply:B:2',
      'batch_reply:A:1',
      'batch_reply:A:2',
    ]);
    expect(s.log.indexOf('start batch:B:1')).toBeLessThan(s.log.indexOf('end batch:A:1'));
    // ... and within a session one batch runs at a time.
    expect(s.log.indexOf('start batch:A:2')).toBeGreaterThan(s.log.indexOf('end batch:A:1'));
  });

  it('answers a session_close only after the batches of its session received before it', async () => {
    const s = recordingSetup();
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    const releaseA1 = s.hold('batch:A:1');
    const releaseA2 = s.hold('batch:A:2');
    const releaseA4 = s.hold('batch:A:4');
    s.receive(text({ type: 'batch', sessionId: 'A', n: 1 }));
    s.receive(text({ type: 'batch', sessionId: 'A', n: 2 }));
    s.receive(text({ type: 'session_close', sessionId: 'A', n: 3 }));
    s.receive(text({ type: 'batch', sessionId: 'A', n: 4 })); // late events wait for the close
    s.receive(text({ type: 'session_close', sessionId: 'B', n: 5 }));
    s.receive(text({ type: 'batch', sessionId: 'C', n: 6 })); // another session's batch waits for neither close
    await until(() => s.socket.sent.length === 2, 'C answered');
    releaseA1();
    await until(() => s.socket.sent.length === 3, 'A:1 answered');
    await settle();
    expect(s.log).not.toContain('start session_close:A:3');
    releaseA2();
    await until(() => s.socket.sent.length === 6, 'both closes answered');
    releaseA4();
    await until(() => s.socket.sent.length === 7, 'A:4 answered');
    expect(replies(s.socket.sent)).toEqual([
      'batch_reply:C:6',
      'batch_reply:A:1',
      'batch_reply:A:2',
      'session_close_reply:A:3',
      'session_close_reply:B:5',
      'batch_reply:A:4',
    ]);
    expect(s.log.indexOf('start session_close:A:3')).toBeGreaterThan(s.log.indexOf('end batch:A:2'));
    expect(s.log.indexOf('start batch:A:4')).toBeGreaterThan(s.log.indexOf('end session_close:A:3'));
  });

  it('keeps legacy messages in strict arrival order', async () => {
    const s = recordingSetup();
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    // The first legacy message is held: without one queue the others would overtake it.
    const release = s.hold('session_start:L1:1');
    s.receive(text({ type: 'session_start', sessionId: 'L1', n: 1 }));
    s.receive(text({ type: 'interaction_data', sessionId: 'L2', n: 2 }));
    s.receive(text({ type: 'interaction_data', sessionId: 'L1', n: 3 }));
    s.receive(text({ type: 'resume', sessionIds: ['L1'], n: 4 }));
    s.receive(text({ type: 'session_end', sessionId: 'L1', n: 5 }));
    await settle();
    expect(s.log).toEqual(['start session_start:L1:1']);
    release();
    await until(() => s.socket.sent.length === 6, 'five replies');
    expect(replies(s.socket.sent)).toEqual([
      'session_start_reply:L1:1',
      'interaction_data_reply:L2:2',
      'interaction_data_reply:L1:3',
      'resume_reply:undefined:4',
      'session_end_reply:L1:5',
    ]);
  });

  it('answers a refusal after everything received before it, and drains session queues on shutdown', async () => {
    const s = recordingSetup();
    await until(() => s.socket.sent.length === 1, 'authentication answered');
    const releaseA1 = s.hold('batch:A:1');
    const releaseA2 = s.hold('batch:A:2');
    s.receive(text({ type: 'batch', sessionId: 'A', n: 1 }));
    s.receive(new Uint8Array([1, 2, 3]).buffer); // refused while A's batch is still being stored
    s.receive(text({ type: 'batch', sessionId: 'A', n: 2 }));
    const closing = s.registry.closeAll('server shutting down', 1000);
    await settle();
    expect(s.socket.sent).toHaveLength(1);
    releaseA1();
    await until(() => s.socket.sent.length === 3, 'A:1 and the refusal answered');
    await settle();
    expect(s.socket.closed()).toBeUndefined(); // A:2 is still being stored
    releaseA2();
    await closing;
    expect(
      s.socket.sent.slice(1).map((m) => (m.code as string | undefined) ?? `${String(m.type)}:${String(m.n)}`),
    ).toEqual(['batch_reply:1', 'invalid_json', 'batch_reply:2']);
    expect(s.socket.closed()).toEqual({ code: 1001, reason: 'server shutting down' });
  });
});
