import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeCompressed } from '@codesight/schema';
import { startDuplicatingProxy, type DuplicatingProxy } from './duplicating-proxy';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream';

let a: FakeUpstream;
let b: FakeUpstream;
let proxy: DuplicatingProxy;

async function until(ok: () => boolean, label: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function connect(): Promise<{ ws: WebSocket; messages: Record<string, unknown>[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${proxy.url.replace('http', 'ws')}/ws`);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

// Buffer: a body fetch accepts and a frame ws sends, with the gzip bytes the extension would send.
const batch = (id: string) =>
  Buffer.from(encodeCompressed({ type: 'batch', batchId: id, sessionId: 's1', events: [] }));
const wsTypes = (u: FakeUpstream) =>
  u.received.filter((m) => m.via === 'ws').map((m) => m.summary.batchId ?? m.summary.type);

beforeEach(async () => {
  a = await startFakeUpstream(1);
  b = await startFakeUpstream(2);
  proxy = await startDuplicatingProxy({ upstreams: [a.url, b.url] });
});

afterEach(async () => {
  await proxy.close();
  await a.close();
  await b.close();
});

describe('duplicating proxy: WebSocket', () => {
  it('sends every client message to both instances and only one instance answers', async () => {
    const { ws, messages } = await connect();
    ws.send(JSON.stringify({ type: 'authenticate', apiKey: 'k' }));
    ws.send(batch('b1'));
    ws.send(batch('b2'));
    await until(() => messages.length === 3, 'three replies');
    expect(wsTypes(a)).toEqual(['authenticate', 'b1', 'b2']);
    expect(wsTypes(b)).toEqual(['authenticate', 'b1', 'b2']);
    // First connection: instance A (inserted: 1 names it) answers the client.
    expect(messages.map((m) => m.from ?? m.inserted)).toEqual([1, 1, 1]);
    await until(() => proxy.counters().acks.length === 4, 'acks from both');
    const c = proxy.counters();
    expect(c).toMatchObject({ webSockets: 1, mirroredMessages: 3, mirroredBatches: 2, droppedReplies: 3 });
    expect(c.acks.map((x) => `${x.upstream}:${x.batchId}`).sort()).toEqual(['0:b1', '0:b2', '1:b1', '1:b2']);
    ws.close();
  });

  it('alternates the answering instance per connection', async () => {
    const first = await connect();
    first.ws.send('{"type":"hello"}');
    await until(() => first.messages.length === 1, 'first reply');
    const second = await connect();
    second.ws.send('{"type":"hello"}');
    await until(() => second.messages.length === 1, 'second reply');
    expect(first.messages[0]).toMatchObject({ from: 1 });
    expect(second.messages[0]).toMatchObject({ from: 2 });
    first.ws.close();
    second.ws.close();
  });

  it('still records the silent instance’s acks after the client left', async () => {
    const { ws, messages } = await connect();
    ws.send(batch('late'));
    await until(() => messages.length === 1, 'reply');
    ws.close();
    await until(() => proxy.counters().acks.length === 2, 'both acks');
    await until(() => a.sockets().length + b.sockets().length === 0, 'upstream sockets closed');
  });

  it('ends the client connection when either instance goes away', async () => {
    const { ws } = await connect();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await until(() => b.sockets().length === 1, 'socket on B');
    b.sockets()[0]!.close(1001, 'shutting down');
    expect(await closed).toBe(1001);
  });

  it('fails the handshake when an instance is down', async () => {
    await b.close();
    await expect(connect()).rejects.toThrow();
  });

  it('refuseWebSocket() answers upgrades with 503', async () => {
    proxy.refuseWebSocket();
    await expect(connect()).rejects.toThrow(/503/);
    expect(proxy.counters().refusedUpgrades).toBe(1);
  });
});

describe('duplicating proxy: HTTP', () => {
  const post = (path: string, body: BodyInit, type: string) =>
    fetch(`${proxy.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('posts each batch to both instances and returns one answer', async () => {
    const r1 = await post('/api/sync/batch', batch('h1'), 'application/octet-stream');
    const r2 = await post('/api/sync/batch', batch('h2'), 'application/octet-stream');
    const inserted = async (r: Response) => ((await r.json()) as { inserted: number }).inserted;
    expect([await inserted(r1), await inserted(r2)]).toEqual([1, 2]);
    await until(() => proxy.counters().acks.length === 4, 'acks from both');
    for (const u of [a, b])
      expect(u.received.map((m) => [m.path, m.binary, m.summary.batchId])).toEqual([
        ['/api/sync/batch', true, 'h1'],
        ['/api/sync/batch', true, 'h2'],
      ]);
    expect(proxy.counters()).toMatchObject({ mirroredBatches: 2, httpRequests: 2 });
  });

  it('sends other requests to one instance only', async () => {
    await post('/api/sync/resume', '{"type":"resume","sessionIds":[]}', 'application/json');
    await post('/api/sync/session-close', '{"type":"session_close","sessionId":"s1"}', 'application/json');
    expect(a.received.length + b.received.length).toBe(2);
    expect(proxy.counters().mirroredBatches).toBe(0);
  });
});
