import { describe, expect, it } from 'vitest';
import { decodeCompressed, encodeCompressed } from '@codesight/schema';
import { FakeClock } from '@codesight/schema/testing';
import { FakeWebSocket } from '../testing/fake-websocket';
import type { SyncServerMessage, TransportState } from './transport';
import { createWsTransport } from './ws-transport';
import { sampleAck, sampleBatch } from '../testing/sample-exchange';

const URL = 'wss://collector.example/ws';
const AUTH_TIMEOUT_MS = 8_000;

const batch = sampleBatch;
const ack = sampleAck;

function setup(options: { maxInboundBytes?: number; createSocket?: (url: string) => FakeWebSocket } = {}) {
  const clock = new FakeClock(0);
  const sockets: FakeWebSocket[] = [];
  const transport = createWsTransport({
    url: URL,
    apiKey: 'key-1',
    clock,
    authTimeoutMs: AUTH_TIMEOUT_MS,
    maxInboundBytes: options.maxInboundBytes,
    createSocket:
      options.createSocket ??
      ((url) => {
        const socket = new FakeWebSocket(url);
        sockets.push(socket);
        return socket;
      }),
  });
  const states: TransportState[] = [];
  const inbound: SyncServerMessage[] = [];
  transport.subscribe({ onState: (s) => states.push(s), onMessage: (m) => inbound.push(m) });
  const socket = () => sockets.at(-1)!;
  /** Connects and completes the handshake. */
  const openNow = () => {
    transport.connect();
    socket().open();
    socket().receiveJson({ type: 'authentication_success' });
  };
  return { clock, transport, sockets, socket, states, inbound, openNow };
}

describe('createWsTransport', () => {
  it('connects, authenticates with the API key first, and reports open only once authenticated', () => {
    const t = setup();
    t.transport.connect();
    expect(t.states).toEqual([{ status: 'connecting' }]);
    expect(t.socket()).toMatchObject({ url: URL, binaryType: 'arraybuffer' });
    t.socket().open();
    expect(t.socket().sentJson()).toEqual([{ type: 'authenticate', apiKey: 'key-1', v: 1 }]);
    expect(t.states).toEqual([{ status: 'connecting' }]);
    t.socket().receiveJson({ type: 'authentication_success' });
    expect(t.states).toEqual([{ status: 'connecting' }, { status: 'open' }]);
  });

  it('ignores connect() while connecting or open', () => {
    const t = setup();
    t.transport.connect();
    t.transport.connect();
    t.socket().open();
    t.socket().receiveJson({ type: 'authentication_success' });
    t.transport.connect();
    expect(t.sockets).toHaveLength(1);
  });

  it.each<{ name: string; answer: unknown; reason: string }>([
    {
      name: 'a refused key',
      answer: { type: 'authentication_failed', message: 'invalid API key' },
      reason: 'authentication failed: invalid API key',
    },
    {
      name: 'a refusal without a reason',
      answer: { type: 'authentication_failed' },
      reason: 'authentication failed: no reason given',
    },
    { name: 'anything else before authentication', answer: ack, reason: 'unexpected batch_ack before authentication' },
  ])('closes on $name', ({ answer, reason }) => {
    const t = setup();
    t.transport.connect();
    t.socket().open();
    t.socket().receiveJson(answer);
    expect(t.states).toEqual([{ status: 'connecting' }, { status: 'closed', reason }]);
    expect(t.socket().closedWith).toEqual({ code: 1000, reason });
    expect(t.inbound).toEqual([]);
  });

  it('gives up on authentication after the timeout, on the injected clock', async () => {
    const t = setup();
    t.transport.connect();
    t.socket().open();
    await t.clock.advance(AUTH_TIMEOUT_MS - 1);
    expect(t.states).toEqual([{ status: 'connecting' }]);
    await t.clock.advance(1);
    expect(t.states.at(-1)).toEqual({ status: 'closed', reason: 'no answer to authenticate' });
    expect(t.socket().closedWith).toEqual({ code: 1000, reason: 'no answer to authenticate' });
  });

  it('cancels the authentication timer once authenticated', async () => {
    const t = setup();
    t.openNow();
    expect(t.clock.pendingTimers).toBe(0);
    await t.clock.advance(10 * AUTH_TIMEOUT_MS);
    expect(t.states.map((s) => s.status)).toEqual(['connecting', 'open']);
  });

  it('sends batches as gzip binary frames and everything else as JSON text', () => {
    const t = setup();
    t.openNow();
    t.transport.send(batch);
    t.transport.send({ type: 'resume', sessionIds: ['s1'] });
    const [, binary, text] = t.socket().sent;
    expect(binary).toBeInstanceOf(Uint8Array);
    expect(decodeCompressed(binary as Uint8Array, 1 << 20)).toEqual(batch);
    expect(JSON.parse(text as string)).toEqual({ type: 'resume', sessionIds: ['s1'] });
  });

  it('discards what is sent before it is open', () => {
    const t = setup();
    t.transport.send(batch);
    t.transport.connect();
    t.socket().open();
    t.transport.send(batch);
    expect(t.socket().sentJson()).toEqual([{ type: 'authenticate', apiKey: 'key-1', v: 1 }]);
    expect(t.socket().sent).toHaveLength(1);
  });

  it('delivers validated server messages from text and compressed binary frames, and ignores unknown ones', () => {
    const t = setup();
    t.openNow();
    t.socket().receiveJson(ack);
    const compressed = encodeCompressed({ type: 'resume_state', sessions: [] });
    t.socket().receive(compressed.buffer.slice(compressed.byteOffset, compressed.byteOffset + compressed.byteLength));
    t.socket().receiveJson({ type: 'ack', legacy: true });
    expect(t.inbound).toEqual([ack, { type: 'resume_state', sessions: [] }]);
    expect(t.states.at(-1)).toEqual({ status: 'open' });
  });

  it.each<{ name: string; frame: () => unknown; reason: RegExp }>([
    { name: 'text that is not JSON', frame: () => '{not json', reason: /^unreadable frame from server: / },
    { name: 'an unsupported frame type', frame: () => 42, reason: /unsupported frame type/ },
    {
      name: 'a frame inflating past the bound',
      frame: () => encodeCompressed({ type: 'resume_state', sessions: [], pad: 'x'.repeat(10_000) }),
      reason: /^unreadable frame from server: /,
    },
  ])('closes with 1007 on $name', ({ frame, reason }) => {
    const t = setup({ maxInboundBytes: 1_000 });
    t.openNow();
    t.socket().receive(frame());
    expect(t.states.at(-1)).toEqual({ status: 'closed', reason: expect.stringMatching(reason) as string });
    expect(t.socket().closedWith?.code).toBe(1007);
    expect(t.inbound).toEqual([]);
  });

  it('reports a dropped connection, then connects afresh with a new socket', () => {
    const t = setup();
    t.openNow();
    t.socket().drop(1006, 'gone');
    expect(t.states.at(-1)).toEqual({ status: 'closed', reason: 'connection closed (1006: gone)' });
    t.socket().drop(1006);
    expect(t.states.filter((s) => s.status === 'closed')).toHaveLength(1);
    t.transport.connect();
    expect(t.sockets).toHaveLength(2);
    t.sockets[1]!.drop(1001);
    expect(t.states.at(-1)).toEqual({ status: 'closed', reason: 'connection closed (1001)' });
  });

  it('close() closes the socket, emits nothing and delivers nothing afterwards', () => {
    const t = setup();
    t.openNow();
    const socket = t.socket();
    t.transport.close('stopped');
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'stopped' });
    socket.receiveJson(ack);
    socket.drop();
    expect(t.inbound).toEqual([]);
    expect(t.states.map((s) => s.status)).toEqual(['connecting', 'open']);
    t.transport.send(batch);
    expect(socket.sent).toHaveLength(1);
  });

  it('close() during the handshake also cancels the authentication timer', async () => {
    const t = setup();
    t.transport.connect();
    t.socket().open();
    t.transport.close('stopped');
    await t.clock.advance(AUTH_TIMEOUT_MS);
    expect(t.states).toEqual([{ status: 'connecting' }]);
  });

  it('reports a socket that cannot even be created', () => {
    const t = setup({
      createSocket: () => {
        throw new Error('blocked by policy');
      },
    });
    t.transport.connect();
    expect(t.states).toEqual([
      { status: 'connecting' },
      { status: 'closed', reason: `cannot open ${URL}: blocked by policy` },
    ]);
  });

  it('stops delivering to an unsubscribed listener', () => {
    const t = setup();
    const late: SyncServerMessage[] = [];
    const unsubscribe = t.transport.subscribe({ onState: () => {}, onMessage: (m) => late.push(m) });
    t.openNow();
    unsubscribe();
    t.socket().receiveJson(ack);
    expect(late).toEqual([]);
    expect(t.inbound).toEqual([ack]);
  });
});
