import { describe, expect, it } from 'vitest';
import type { WSContext } from 'hono/ws';
import { encodeCompressed } from '@codesight/schema';
import { createRateLimiter } from '../http/rate-limiter';
import { createLogger } from '../log';
import type { Principal } from '../auth/principal';
import { createConnectionEvents, type ConnectionDeps } from './connection';
import { createConnectionRegistry } from './connection-registry';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

function setup(overrides: Partial<ConnectionDeps> = {}) {
  const registry = createConnectionRegistry();
  const handled: string[] = [];
  const deps: ConnectionDeps = {
    authenticate: async (c) =>
      c.apiKey === 'good'
        ? { ok: true, value: { kind: 'worker', workerId: 'w1', keyId: 'k1' } }
        : { ok: false, code: 'authentication_failed', message: 'invalid or revoked API key' },
    handleMessage: async (_p: Principal, m) => {
      // Later messages finish first if not serialized: the first one is slow.
      await sleep(m.n === 1 ? 30 : 1);
      handled.push(String(m.n));
      return { type: 'ack', n: m.n };
    },
    registry,
    keyLimiter: createRateLimiter(1000),
    ipLimiter: createRateLimiter(1000),
    logger: createLogger('silent'),
    authTimeoutMs: 200,
    maxInflatedBytes: 10_000,
    ...overrides,
  };
  const socket = fakeSocket();
  const events = createConnectionEvents(deps, '10.0.0.1');
  events.onOpen?.(new Event('open'), socket.ctx);
  const receive = (data: string | ArrayBuffer) => events.onMessage?.(new MessageEvent('message', { data }), socket.ctx);
  type OnClose = NonNullable<typeof events.onClose>;
  const close = () =>
    events.onClose?.(
      Object.assign(new Event('close'), { code: 1000, reason: '', wasClean: true }) as Parameters<OnClose>[0],
      socket.ctx,
    );
  return { deps, registry, socket, receive, close, handled };
}

const text = (v: unknown) => JSON.stringify(v);

describe('connection', () => {
  it('authenticates first, queues frames sent before the reply, and answers in order', async () => {
    const s = setup();
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    for (let n = 1; n <= 5; n++) s.receive(text({ type: 'interaction_data', n }));
    await sleep(100);
    expect(s.socket.sent[0]).toMatchObject({ type: 'authentication_success', workerId: 'w1' });
    expect(s.socket.sent.slice(1).map((m) => m.n)).toEqual([1, 2, 3, 4, 5]);
    expect(s.registry.counts()).toEqual({ open: 1, authenticated: 1 });
    s.close();
    expect(s.registry.counts().open).toBe(0);
  });

  it('closes 4401 on a bad key, on a first message that is not authenticate, and on timeout', async () => {
    const bad = setup();
    bad.receive(text({ type: 'authenticate', apiKey: 'bad' }));
    bad.receive(text({ type: 'interaction_data', n: 1 }));
    await sleep(20);
    expect(bad.socket.sent).toEqual([{ type: 'authentication_failed', message: 'invalid or revoked API key' }]);
    expect(bad.socket.closed()?.code).toBe(4401);
    expect(bad.handled).toEqual([]);

    const early = setup();
    early.receive(text({ type: 'batch' }));
    await sleep(10);
    expect(early.socket.closed()?.code).toBe(4401);

    const idle = setup();
    await sleep(250);
    expect(idle.socket.sent[0]).toMatchObject({
      type: 'authentication_failed',
      message: expect.stringMatching(/timed out/),
    });
    expect(idle.socket.closed()?.code).toBe(4401);
  });

  it('refuses malformed frames without closing and survives a handler that throws', async () => {
    const s = setup({
      handleMessage: async (_p, m) => {
        if (m.type === 'boom') throw new Error('database exploded');
        return { type: 'ack' };
      },
    });
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    s.receive('{oops');
    s.receive(text('just a string'));
    s.receive(text({ notype: 1 }));
    s.receive(new Uint8Array([1, 2, 3]).buffer);
    s.receive(encodeCompressed({ pad: 'x'.repeat(20_000), type: 'batch' }).slice().buffer as ArrayBuffer);
    s.receive(text({ type: 'boom', batchId: 'b7' }));
    s.receive(text({ type: 'fine' }));
    await sleep(30);
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
      message: expect.not.stringContaining('exploded'),
    });
    expect(s.socket.closed()).toBeUndefined();
  });

  it('answers rate_limited when the key bucket is empty and closes when the flood persists', async () => {
    const s = setup({ keyLimiter: createRateLimiter(2) });
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    await sleep(10);
    for (let i = 0; i < 3; i++) s.receive(text({ type: 'x', n: i }));
    await sleep(50);
    expect(s.socket.sent.slice(1).map((m) => m.code ?? m.type)).toEqual(['ack', 'ack', 'rate_limited']);
    for (let i = 0; i < 120; i++) s.receive(text({ type: 'x' }));
    expect(s.socket.closed()).toEqual({ code: 1008, reason: 'rate limit exceeded persistently' });
  });

  it('on shutdown refuses new frames, finishes accepted ones, then closes 1001', async () => {
    const s = setup();
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    s.receive(text({ type: 'x', n: 1 }));
    const closing = s.registry.closeAll('server shutting down', 1000);
    s.receive(text({ type: 'x', n: 2 }));
    await closing;
    expect(s.handled).toEqual(['1']);
    expect(s.socket.sent.map((m) => m.code ?? m.type)).toEqual(['unavailable', 'authentication_success', 'ack']);
    expect(s.socket.closed()).toEqual({ code: 1001, reason: 'server shutting down' });
  });
});

describe('connection queues', () => {
  /** A handler whose delay depends on the message; records when each message starts and ends. */
  function timedSetup(delay: (m: Record<string, unknown>) => number) {
    const log: string[] = [];
    const s = setup({
      handleMessage: async (_p, m) => {
        const name = `${m.type}:${String(m.sessionId ?? '')}:${String(m.n ?? '')}`;
        log.push(`start ${name}`);
        await sleep(delay(m));
        log.push(`end ${name}`);
        return { type: `${m.type}_reply`, sessionId: m.sessionId, n: m.n };
      },
    });
    s.receive(text({ type: 'authenticate', apiKey: 'good' }));
    return { ...s, log };
  }
  const replies = (sent: Record<string, unknown>[]) =>
    sent.slice(1).map((m) => `${m.type}:${String(m.sessionId)}:${String(m.n)}`);

  it('stores two sessions\u2019 interleaved batches concurrently, each session in order', async () => {
    const s = timedSetup((m) => (m.sessionId === 'A' ? 40 : 5));
    await sleep(5);
    s.receive(text({ type: 'batch', sessionId: 'A', n: 1 }));
    s.receive(encodeCompressed({ type: 'batch', sessionId: 'B', n: 1 }).slice().buffer as ArrayBuffer);
    s.receive(text({ type: 'batch', sessionId: 'A', n: 2 }));
    s.receive(text({ type: 'batch', sessionId: 'B', n: 2 }));
    await sleep(150);
    const sent = replies(s.socket.sent);
    // B's batches do not wait for A's slow ones ...
    expect(sent).toEqual(['batch_reply:B:1', 'batch_reply:B:2', 'batch_reply:A:1', 'batch_reply:A:2']);
    expect(s.log.indexOf('start batch:B:1')).toBeLessThan(s.log.indexOf('end batch:A:1'));
    // ... and within a session one batch runs at a time.
    expect(s.log.indexOf('start batch:A:2')).toBeGreaterThan(s.log.indexOf('end batch:A:1'));
  });

  it('answers a session_close only after the batches of its session received before it', async () => {
    const s = timedSetup((m) => (m.type === 'batch' && m.sessionId === 'A' ? 30 : 1));
    await sleep(5);
    s.receive(text({ type: 'batch', sessionId: 'A', n: 1 }));
    s.receive(text({ type: 'batch', sessionId: 'A', n: 2 }));
    s.receive(text({ type: 'session_close', sessionId: 'A', n: 3 }));
    s.receive(text({ type: 'batch', sessionId: 'A', n: 4 })); // late events wait for the close
    s.receive(text({ type: 'session_close', sessionId: 'B', n: 5 }));
    s.receive(text({ type: 'batch', sessionId: 'C', n: 6 })); // another session's batch waits for neither close
    await sleep(150);
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
    // The first legacy message is the slowest: without one queue the others would overtake it.
    const s = timedSetup((m) => (m.n === 1 ? 30 : 1));
    await sleep(5);
    s.receive(text({ type: 'session_start', sessionId: 'L1', n: 1 }));
    s.receive(text({ type: 'interaction_data', sessionId: 'L2', n: 2 }));
    s.receive(text({ type: 'interaction_data', sessionId: 'L1', n: 3 }));
    s.receive(text({ type: 'resume', sessionIds: ['L1'], n: 4 }));
    s.receive(text({ type: 'session_end', sessionId: 'L1', n: 5 }));
    await sleep(120);
    expect(replies(s.socket.sent)).toEqual([
      'session_start_reply:L1:1',
      'interaction_data_reply:L2:2',
      'interaction_data_reply:L1:3',
      'resume_reply:undefined:4',
      'session_end_reply:L1:5',
    ]);
  });

  it('answers a refusal after everything received before it, and drains session queues on shutdown', async () => {
    const s = timedSetup((m) => (m.sessionId === 'A' ? 30 : 1));
    await sleep(5);
    s.receive(text({ type: 'batch', sessionId: 'A', n: 1 }));
    s.receive(new Uint8Array([1, 2, 3]).buffer); // refused while A's batch is still being stored
    s.receive(text({ type: 'batch', sessionId: 'A', n: 2 }));
    const closing = s.registry.closeAll('server shutting down', 1000);
    await closing;
    expect(s.socket.sent.slice(1).map((m) => (m.code as string | undefined) ?? `${m.type}:${String(m.n)}`)).toEqual([
      'batch_reply:1',
      'invalid_json',
      'batch_reply:2',
    ]);
    expect(s.socket.closed()).toEqual({ code: 1001, reason: 'server shutting down' });
  });
});
