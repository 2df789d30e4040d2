import { describe, expect, it, vi } from 'vitest';
import type { PublishedSyncStatus, SessionMeta } from '@codesight/schema';
import { FakeClock, sampleCapturedEvents, sampleSession } from '@codesight/schema/testing';
import { FakeSyncDatabase, FakeSyncServer } from '../testing/fake-server';
import { createFakeSocketServer } from '../testing/fake-websocket';
import { MemoryMediaStore } from '../testing/memory-media-store';
import { sampleChunk, sampleWebm } from '../testing/media-fixtures';
import { createSeededRandom } from '../testing/random';
import { MemorySyncStore } from '../store/memory-store';
import { createSyncService } from './sync-service';

const SERVER = 'https://collector.example';
const KEY = 'key-1';
const SID = 'cs_service_aaaaa';

const META: SessionMeta = (() => {
  const s = sampleSession('x', 0);
  return { startTime: s.startTime, userAgent: s.userAgent, maskingPolicy: s.maskingPolicy };
})();

function setup() {
  const clock = new FakeClock();
  const store = new MemorySyncStore();
  const db = new FakeSyncDatabase();
  const server = new FakeSyncServer(db);
  const sockets = createFakeSocketServer({ server, clock, apiKey: KEY });
  const fetches: string[] = [];
  const published: PublishedSyncStatus[] = [];
  const backlog: boolean[] = [];
  const media = new MemoryMediaStore();
  const service = createSyncService({
    syncStore: store,
    mediaStore: media,
    createSocket: sockets.createSocket,
    // The WebSocket is healthy throughout: nothing should need the HTTP twin, and there is no media.
    fetch: (input) => {
      fetches.push(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return Promise.reject(new TypeError('no HTTP in this test'));
    },
    publish: (status) => published.push(status),
    onBacklogChange: (hasBacklog) => backlog.push(hasBacklog),
    clock,
    random: createSeededRandom(7),
  });
  const record = (count: number) => {
    const captured = sampleCapturedEvents();
    store.appendEvents(
      SID,
      Array.from({ length: count }, (_, i) => captured[i % captured.length]!),
    );
  };
  return { clock, store, db, server, sockets, fetches, published, backlog, service, record, media };
}

describe('createSyncService', () => {
  it.each([
    { name: 'no server', settings: { serverUrl: '', apiKey: '' }, configured: false, configError: undefined },
    {
      name: 'a server without a key',
      settings: { serverUrl: SERVER, apiKey: '' },
      configured: false,
      configError: 'enter the API key to sync',
    },
    {
      name: 'an unusable address',
      settings: { serverUrl: 'ftp://collector.example', apiKey: KEY },
      configured: true,
      configError: 'unsupported scheme ftp: (use https:, http:, wss: or ws:)',
    },
  ])('with $name publishes why it does not sync, and opens nothing', async ({ settings, configured, configError }) => {
    const t = setup();
    await t.service.configure(settings);
    await t.clock.advance(60_000);
    expect(t.published).toEqual([
      {
        configured,
        configError,
        connection: 'offline',
        pendingEvents: 0,
        pendingBytes: 0,
        quarantined: [],
        updatedAt: expect.any(Number) as number,
      },
    ]);
    expect(t.service.status()).toBe(t.published.at(-1));
    expect(t.sockets.sockets).toEqual([]);
    // A configured service that cannot connect has a backlog by definition: the wake-up alarm stays.
    expect(t.backlog).toEqual([configured]);
  });

  it('with good settings syncs the backlog over the WebSocket and publishes each status', async () => {
    const t = setup();
    t.store.createSession(SID, META);
    t.record(25);
    await t.service.configure({ serverUrl: SERVER, apiKey: KEY });
    expect(t.published[0]).toMatchObject({
      configured: true,
      endpoints: { wsUrl: 'wss://collector.example/ws', httpBase: SERVER },
      connection: 'offline',
      updatedAt: t.clock.now(),
    });
    await t.clock.advance(1_000);
    expect(t.sockets.sockets.map((s) => s.url)).toEqual(['wss://collector.example/ws']);
    expect(t.db.storedSequences(SID)).toHaveLength(25);
    expect(t.service.status()).toMatchObject({
      configured: true,
      connection: 'live',
      pendingEvents: 0,
      lastSyncAt: expect.any(Number) as number,
      media: { pendingItems: 0, quarantined: [] },
    });
    const connections = t.published.map((s) => s.connection);
    expect(connections[0]).toBe('offline');
    expect(connections).toContain('connecting');
    expect(connections.at(-1)).toBe('live');
    expect(t.fetches).toEqual([]);
  });

  it('tells when the backlog appears and when it is gone, once per change', async () => {
    const t = setup();
    t.store.createSession(SID, META);
    t.record(5);
    await t.service.configure({ serverUrl: SERVER, apiKey: KEY });
    await t.clock.advance(1_000);
    expect(t.backlog).toEqual([true, false]);
    t.record(5);
    t.service.kick();
    await t.clock.advance(0);
    expect(t.backlog).toEqual([true, false, true]);
    await t.clock.advance(1_000);
    expect(t.backlog).toEqual([true, false, true, false]);
  });

  it('kick() sends new events at once rather than at the next poll', async () => {
    const t = setup();
    t.store.createSession(SID, META);
    await t.service.configure({ serverUrl: SERVER, apiKey: KEY });
    await t.clock.advance(1_000);
    t.record(8);
    await t.clock.advance(1_000);
    expect(t.db.storedSequences(SID)).toEqual([]);
    t.service.kick('events');
    await t.clock.advance(1_000);
    expect(t.db.storedSequences(SID)).toHaveLength(8);
    expect(t.service.status()).toMatchObject({ connection: 'live', pendingEvents: 0 });
  });

  it("mediaStored() looks for uploads at once rather than at the uploader's next poll", async () => {
    const t = setup();
    await t.service.configure({ serverUrl: SERVER, apiKey: KEY });
    await t.clock.advance(1_000);
    t.media.setAck('cs_media_session', 0, true);
    const bytes = sampleWebm(1);
    t.media.addChunk('audio', sampleChunk('audio', 'cs_media_session', 0, bytes), bytes);
    await t.clock.advance(1_000);
    expect(t.fetches).toEqual([]);
    t.service.mediaStored();
    await t.clock.advance(0);
    await vi.waitFor(() => expect(t.fetches).toEqual([`${SERVER}/api/upload/url`]));
  });

  it('keeps its engine for the same settings, and replaces it when the key changes', async () => {
    const t = setup();
    await t.service.configure({ serverUrl: SERVER, apiKey: KEY });
    await t.clock.advance(1_000);
    await t.service.configure({ serverUrl: SERVER, apiKey: KEY });
    expect(t.sockets.sockets).toHaveLength(1);
    await t.service.configure({ serverUrl: SERVER, apiKey: 'revoked' });
    await t.clock.advance(1_000);
    expect(t.sockets.sockets[0]!.closedWith).toEqual({ code: 1000, reason: 'stopped' });
    expect(t.sockets.sockets[1]!.sentJson()).toEqual([{ type: 'authenticate', apiKey: 'revoked', v: 1 }]);
    expect(t.service.status()).toMatchObject({
      connection: 'offline',
      lastError: { code: 'connection', message: 'ws: authentication failed: invalid API key' },
    });
  });

  it('retryQuarantined() lets a refused session through once the server accepts it', async () => {
    const t = setup();
    t.server.refuseBatch = () => ({ code: 'forbidden', message: 'not yours', retryable: false });
    t.store.createSession(SID, META);
    t.record(5);
    await t.service.configure({ serverUrl: SERVER, apiKey: KEY });
    await t.clock.advance(1_000);
    expect(t.service.status().quarantined).toMatchObject([{ sessionId: SID, code: 'forbidden', blockedEvents: 5 }]);
    t.server.refuseBatch = undefined;
    await t.service.retryQuarantined(SID);
    await t.clock.advance(1_000);
    expect(t.service.status()).toMatchObject({ quarantined: [], pendingEvents: 0 });
    expect(t.db.storedSequences(SID)).toHaveLength(5);
  });

  it('stop() closes the connection; later kicks do nothing', async () => {
    const t = setup();
    t.store.createSession(SID, META);
    await t.service.configure({ serverUrl: SERVER, apiKey: KEY });
    await t.clock.advance(1_000);
    await t.service.stop();
    expect(t.sockets.sockets[0]!.closedWith).toEqual({ code: 1000, reason: 'stopped' });
    t.record(3);
    t.service.kick('online');
    await t.clock.advance(60_000);
    expect(t.db.storedSequences(SID)).toEqual([]);
    expect(t.sockets.sockets).toHaveLength(1);
  });
});
