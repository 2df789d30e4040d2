import { gzipSync } from 'node:zlib';
import { FakeClock } from '@codesight/schema/testing';
import { fail, ok } from '@codesight/schema';
import type { WSContext } from 'hono/ws';
import { describe, expect, it, vi } from 'vitest';
import type * as FrameDecoder from './frame-decoder';
import { createRateLimiter } from '../http/rate-limiter';
import { createLogger } from '../log';
import { createConnectionEvents, type ConnectionDeps } from './connection';
import { createConnectionRegistry } from './connection-registry';

/** Every frame the connection decodes (inflates and parses), recorded by its size. */
const decoded = vi.hoisted(() => [] as number[]);
vi.mock('./frame-decoder', async (importOriginal) => {
  const original = await importOriginal<typeof FrameDecoder>();
  return {
    ...original,
    decodeFrame: (...args: Parameters<typeof original.decodeFrame>) => {
      decoded.push(original.frameSize(args[0]));
      return original.decodeFrame(...args);
    },
  };
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A connection whose key lookup waits until the test answers it. */
function setup() {
  decoded.length = 0;
  const clock = new FakeClock();
  let answer: (good: boolean) => void = () => {};
  const handled: unknown[] = [];
  const deps: ConnectionDeps = {
    authenticate: () =>
      new Promise((resolve) => {
        answer = (good) =>
          resolve(
            good
              ? ok({ kind: 'worker', workerId: 'w1', keyId: 'k1' })
              : fail('authentication_failed', 'invalid or revoked API key'),
          );
      }),
    verifyCredential: () => Promise.resolve(true),
    handleMessage: (_p, m) => {
      handled.push(m.n);
      return Promise.resolve({ type: 'ack', n: m.n });
    },
    registry: createConnectionRegistry(clock),
    keyLimiter: createRateLimiter(1000, clock),
    authFailureLimiter: createRateLimiter(1000, clock),
    logger: createLogger('silent'),
    clock,
    authTimeoutMs: 5000,
    maxInflatedBytes: 64 * 1024 * 1024,
    maxPendingAuth: 1000,
    maxPendingAuthPerIp: 10,
    maxConnectionsPerKey: 10,
    credentialMaxAgeMs: 10_000,
  };
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
  const events = createConnectionEvents(deps, '10.0.0.9');
  events.onOpen?.(new Event('open'), ctx);
  const receive = (data: string | ArrayBuffer) => events.onMessage?.(new MessageEvent('message', { data }), ctx);
  return { receive, answer: (good: boolean) => answer(good), sent, closed: () => closed, handled };
}

/** A gzip frame of a 16 MiB JSON array: cheap to send, seconds of CPU and a lot of heap to read. */
const bomb = () => {
  const gz = gzipSync(Buffer.from(`[${'0,'.repeat(8 * 1024 * 1024)}0]`), { level: 9 });
  return gz.buffer.slice(gz.byteOffset, gz.byteOffset + gz.byteLength);
};

describe('a connection before authentication (issue 10)', () => {
  it('never inflates a binary first frame', async () => {
    const s = setup();
    s.receive(bomb());
    await settle();
    expect(decoded).toEqual([]);
    expect(s.sent[0]).toMatchObject({ type: 'authentication_failed' });
    expect(s.closed()).toBe(4401);
  });

  it('refuses a binary frame behind authenticate before the answer, without inflating it', async () => {
    const s = setup();
    const auth = JSON.stringify({ type: 'authenticate', apiKey: 'good' });
    s.receive(auth);
    s.receive(bomb());
    s.answer(true);
    await settle();
    expect(decoded).toEqual([auth.length]); // the authenticate message alone
    expect(s.sent).toEqual([
      {
        type: 'authentication_failed',
        message: 'binary frame before authentication was answered: wait for authentication_success',
      },
    ]);
    expect(s.closed()).toBe(4401);
  });

  it('drops the text held behind a failed authenticate without parsing it', async () => {
    const s = setup();
    const auth = JSON.stringify({ type: 'authenticate', apiKey: 'bad' });
    s.receive(auth);
    for (let n = 1; n <= 10; n++) s.receive(JSON.stringify({ type: 'interaction_data', n }));
    await settle();
    s.answer(false);
    await settle();
    expect(decoded).toEqual([auth.length]);
    expect(s.sent).toEqual([{ type: 'authentication_failed', message: 'invalid or revoked API key' }]);
    expect(s.handled).toEqual([]);
  });

  it('reads the text held behind an accepted authenticate only after the answer, in order', async () => {
    const s = setup();
    s.receive(JSON.stringify({ type: 'authenticate', apiKey: 'good' }));
    for (let n = 1; n <= 3; n++) s.receive(JSON.stringify({ type: 'interaction_data', n }));
    await settle();
    expect(decoded).toHaveLength(1);
    s.answer(true);
    for (let i = 0; i < 10; i++) await settle();
    expect(decoded).toHaveLength(4);
    expect(s.sent.map((m) => m.n ?? m.type)).toEqual(['authentication_success', 1, 2, 3]);
  });
});
