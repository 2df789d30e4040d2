import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeCompressed } from '@codesight/schema';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream';
import { startTcpProxy, type RelayedFrame, type TcpProxy } from './tcp-proxy';

let upstream: FakeUpstream;
let proxy: TcpProxy;

/** Opens a WebSocket through the proxy; resolves once open. */
function connect(path = '/ws'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}${path}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Collects every message a socket receives, parsed, and resolves on close with them and the code. */
function collect(ws: WebSocket): { messages: Record<string, unknown>[]; closed: Promise<number> } {
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
  return { messages, closed: new Promise((resolve) => ws.once('close', (code) => resolve(code))) };
}

async function until(ok: () => boolean, label: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const batch = (n: number) => ({ type: 'batch', batchId: `b${n}`, sessionId: 's1', events: [] });

beforeAll(async () => {
  upstream = await startFakeUpstream(1);
});

afterEach(async () => {
  await proxy?.close();
});

afterAll(async () => {
  await upstream.close();
});

describe('tcp proxy: plain HTTP', () => {
  it('forwards requests and answers unchanged and counts them', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    const res = await fetch(`${proxy.url}/api/sync/resume`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"resume","sessionIds":[]}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('1');
    expect(await res.json()).toEqual({ type: 'echo', of: 'resume', from: 1 });
    expect(upstream.received.at(-1)).toMatchObject({
      via: 'http',
      path: '/api/sync/resume',
      summary: { type: 'resume' },
    });
    const c = proxy.counters();
    expect(c.httpRequests).toBe(1);
    expect(c.messages['http:/api/sync/resume']).toBe(1);
    expect(c.messages['http:/api/sync/resume:200']).toBe(1);
    expect(c.bytesFromClients).toBeGreaterThan(0);
    expect(c.bytesToClients).toBeGreaterThan(0);
  });

  it('drops the client connection when the upstream is down, as a direct connection would fail', async () => {
    const gone = await startFakeUpstream(9);
    await gone.close();
    proxy = await startTcpProxy({ target: gone.url });
    await expect(fetch(`${proxy.url}/health`)).rejects.toThrow();
  });
});

describe('tcp proxy: WebSocket relay', () => {
  it('relays text and binary messages both ways and reports each frame', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    const frames: RelayedFrame[] = [];
    proxy.onFrame((f) => frames.push(f));
    const ws = await connect('/ws');
    const { messages } = collect(ws);
    ws.send(JSON.stringify({ type: 'authenticate', apiKey: 'k' }));
    ws.send(encodeCompressed(batch(1)));
    await until(() => messages.length === 2, 'two replies');
    expect(messages).toEqual([
      { type: 'echo', of: 'authenticate', from: 1 },
      { type: 'batch_ack', batchId: 'b1', sessionId: 's1', ackedThrough: 1, inserted: 1, duplicates: 0 },
    ]);
    // The batch arrived upstream as a binary (gzip) frame, as the client sent it.
    expect(
      upstream.received
        .filter((m) => m.via === 'ws')
        .slice(-2)
        .map((m) => [m.binary, m.summary.type]),
    ).toEqual([
      [false, 'authenticate'],
      [true, 'batch'],
    ]);
    await until(() => frames.length === 4, 'four frame reports');
    expect(frames.map((f) => `${f.direction}:${f.summary.type}`).sort()).toEqual([
      'down:batch_ack',
      'down:echo',
      'up:authenticate',
      'up:batch',
    ]);
    const c = proxy.counters();
    expect(c).toMatchObject({ upgrades: 1, webSockets: 1, cuts: 0 });
    expect(c.messages).toMatchObject({ 'ws:up:batch': 1, 'ws:down:batch_ack': 1, 'ws:up:authenticate': 1 });
    ws.close();
  });

  it('passes a close code on to the other side', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    const ws = await connect();
    const { closed } = collect(ws);
    await until(() => upstream.sockets().length === 1, 'upstream socket');
    upstream.sockets()[0]!.close(4401, 'go away');
    expect(await closed).toBe(4401);
  });

  it('fails the handshake when the upstream is down', async () => {
    const gone = await startFakeUpstream(9);
    await gone.close();
    proxy = await startTcpProxy({ target: gone.url });
    await expect(connect()).rejects.toThrow();
  });
});

describe('tcp proxy: faults', () => {
  it('block() cuts open sockets and refuses new connections until unblock()', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    const ws = await connect();
    const { closed } = collect(ws);
    proxy.block();
    expect(await closed).toBe(1006);
    await expect(fetch(`${proxy.url}/health`)).rejects.toThrow();
    await expect(connect()).rejects.toThrow();
    expect(proxy.counters().refusedConnections).toBe(2);
    expect(proxy.counters().cuts).toBe(1);
    proxy.unblock();
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
    (await connect()).close();
  });

  it('flapWebSocket() cuts each socket after N messages and leaves HTTP alone', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    proxy.flapWebSocket({ everyNFrames: 3 });
    for (let round = 0; round < 2; round++) {
      const ws = await connect();
      const { messages, closed } = collect(ws);
      ws.send(JSON.stringify({ type: 'authenticate', apiKey: 'k' })); // 1 up, 2 down
      await until(() => messages.length === 1, 'auth reply');
      ws.send(encodeCompressed(batch(round))); // 3 up: the limit
      expect(await closed).toBe(1006);
      // The third message reached the server, its reply never came back: the "ack lost" case.
      expect(messages).toHaveLength(1);
      expect(upstream.received.at(-1)?.summary).toMatchObject({ type: 'batch', batchId: `b${round}` });
    }
    expect(proxy.counters().cuts).toBe(2);
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
    proxy.flapWebSocket(null);
    const ws = await connect();
    const { messages } = collect(ws);
    for (let i = 0; i < 5; i++) ws.send(JSON.stringify({ type: 'ping' }));
    await until(() => messages.length === 5, 'five replies with flapping off');
    ws.close();
  });

  it('refuseWebSocket() answers upgrades with 503 while HTTP passes', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    proxy.refuseWebSocket();
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/ws`);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('WebSocket opened although refused')));
      ws.once('error', () => {});
    });
    expect(status).toBe(503);
    expect((await fetch(`${proxy.url}/health`)).status).toBe(200);
    expect(proxy.counters()).toMatchObject({ upgrades: 1, refusedUpgrades: 1, webSockets: 0 });
    proxy.refuseWebSocket(false);
    (await connect()).close();
  });

  it('holdReplies() keeps server messages back, in order, until released', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    const ws = await connect();
    const { messages } = collect(ws);
    proxy.holdReplies(true);
    for (let i = 0; i < 3; i++) ws.send(encodeCompressed(batch(i)));
    await until(() => upstream.received.filter((m) => m.summary.type === 'batch').length >= 3, 'batches upstream');
    await new Promise((r) => setTimeout(r, 50));
    expect(messages).toHaveLength(0);
    proxy.holdReplies(false);
    await until(() => messages.length === 3, 'released replies');
    expect(messages.map((m) => m.batchId)).toEqual(['b0', 'b1', 'b2']);
    ws.close();
  });

  it('holdReplies({ types }) holds from the first message of those types on, keeping the order', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    const ws = await connect();
    const { messages } = collect(ws);
    proxy.holdReplies({ types: ['batch_ack'] });
    ws.send(JSON.stringify({ type: 'authenticate', apiKey: 'k' }));
    await until(() => messages.length === 1, 'the authenticate reply, not held');
    ws.send(encodeCompressed(batch(1)));
    ws.send(JSON.stringify({ type: 'resume' })); // answered after the held ack: held too, to keep order
    await until(() => upstream.received.filter((m) => m.via === 'ws').length >= 3, 'all three upstream');
    await new Promise((r) => setTimeout(r, 50));
    expect(messages).toHaveLength(1);
    proxy.holdReplies(false);
    await until(() => messages.length === 3, 'released replies');
    expect(messages.map((m) => m.type)).toEqual(['echo', 'batch_ack', 'echo']);
    ws.close();
  });

  it('heal() clears every fault', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    proxy.block();
    proxy.refuseWebSocket();
    proxy.flapWebSocket({ everyNFrames: 1 });
    proxy.heal();
    const ws = await connect();
    const { messages } = collect(ws);
    ws.send('{"type":"a"}');
    ws.send('{"type":"b"}');
    await until(() => messages.length === 2, 'replies after heal');
    ws.close();
  });

  it('rejects a nonsensical flap setting', async () => {
    proxy = await startTcpProxy({ target: upstream.url });
    expect(() => proxy.flapWebSocket({ everyNFrames: 0 })).toThrow(/positive integer/);
  });
});
