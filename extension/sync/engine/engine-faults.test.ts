import { describe, expect, it } from 'vitest';
import { DEFAULT_BATCH_LIMITS } from './batcher';
import { DEFAULT_WINDOW } from './engine';
import { SyncWorld, type SyncWorldOptions } from '../testing/simulation';

/**
 * The fault table: each scenario drives a recorder, an engine and a faulty network on a fake clock,
 * then the common end-state check runs — the server holds exactly 1..N of every session (nothing lost),
 * no row stored twice, the local watermark is N, ended sessions are closed complete.
 */
interface Scenario {
  name: string;
  world?: Omit<SyncWorldOptions, 'seed'>;
  run(w: SyncWorld): Promise<void>;
  /** Checks beyond the common end state. */
  after?(w: SyncWorld): void;
}

/** Most a resend can duplicate after losing one connection's in-flight batches. */
const ONE_WINDOW = DEFAULT_WINDOW * DEFAULT_BATCH_LIMITS.maxEvents;

const scenarios: Scenario[] = [
  {
    name: 'offline for minutes while events keep being written, then online',
    async run(w) {
      const a = w.startSession();
      w.write(a, 200);
      await w.advance(2_000);
      expect(w.store.inspect(a).ackedThrough).toBe(200);
      w.setNetwork(false);
      for (let second = 0; second < 300; second++) {
        w.write(a, 10);
        await w.advance(1_000);
      }
      const status = w.engine.getStatus();
      expect(['offline', 'connecting']).toContain(status.connection);
      expect(status.pendingEvents).toBe(3_000);
      expect(status.pendingBytes).toBeGreaterThan(3_000 * 100);
      expect(w.db.storedRows).toBe(200);
      const before = w.clock.now();
      w.setNetwork(true);
      w.end(a);
      expect(await w.settle()).toBe(true);
      // `online` reconnects at once instead of waiting out a backoff of up to 5 min.
      expect(w.clock.now() - before).toBeLessThan(10_000);
      expect(w.engine.getStatus()).toMatchObject({ connection: 'live', pendingEvents: 0 });
    },
    after(w) {
      // Nothing was in flight when the network went down: not one resend was needed.
      expect(w.db.duplicateInserts).toBe(0);
    },
  },
  {
    name: 'server down for minutes (nothing answers, WebSocket nor HTTP), then back unannounced: stays on WebSocket',
    async run(w) {
      const a = w.startSession();
      w.write(a, 200);
      await w.advance(2_000);
      expect(w.engine.getStatus().connection).toBe('live');
      w.setNetwork(false);
      for (let second = 0; second < 600; second++) {
        if (second % 10 === 0) w.write(a, 10);
        await w.advance(1_000);
      }
      expect(w.total((t) => t.stats.connectFailures, 'ws')).toBeGreaterThan(3);
      // No `online` event: the server came back, the browser's network never left.
      w.setNetwork(true, false);
      w.end(a);
      expect(await w.settle()).toBe(true);
      expect(w.engine.getStatus().connection).toBe('live');
    },
    after(w) {
      // HTTP was asked whether it works after each WebSocket failure, and never carried a message.
      expect(w.total((t) => Object.values(t.stats.sent).reduce((n, k) => n + k, 0), 'http')).toBe(0);
    },
  },
  {
    name: 'server killed mid-batch (stored or not), on both transports',
    world: { ws: { killMidBatchRate: 0.3 }, http: { killMidBatchRate: 0.3 } },
    async run(w) {
      const ids = [w.startSession(), w.startSession(), w.startSession()];
      for (let round = 0; round < 30; round++) {
        for (const id of ids) w.write(id, 50);
        await w.advance(2_000);
      }
      expect(w.total((t) => t.stats.kills)).toBeGreaterThan(3);
      ids.forEach((id) => w.end(id));
      await w.advance(60_000);
      w.heal();
    },
    after(w) {
      expect(w.db.duplicateInserts).toBeLessThanOrEqual(w.total((t) => t.stats.kills) * ONE_WINDOW);
    },
  },
  {
    name: 'engine destroyed mid-push, a new engine over the same store',
    async run(w) {
      const a = w.startSession();
      const b = w.startSession();
      w.write(a, 4_000, false);
      w.write(b, 1_500, false);
      w.end(a);
      w.end(b);
      await w.advance(60);
      const stored = w.db.storedRows;
      expect(w.total((t) => t.stats.sent.batch ?? 0)).toBeGreaterThan(0);
      expect(stored).toBeLessThan(5_500);
      w.restartEngine();
      expect(await w.settle()).toBe(true);
      expect(w.engineLives).toBe(2);
    },
    after(w) {
      expect(w.db.duplicateInserts).toBeLessThanOrEqual(ONE_WINDOW);
    },
  },
  {
    name: 'engine destroyed mid-push, browser closed for three days with a backlog',
    async run(w) {
      const a = w.startSession();
      w.write(a, 3_000, false);
      await w.advance(45);
      w.crashEngine();
      // While the browser is closed nothing runs; then it starts again with more recorded on top.
      await w.advance(3 * 24 * 3_600_000);
      w.startEngine();
      w.write(a, 700);
      w.end(a);
      expect(await w.settle(60_000)).toBe(true);
      expect(w.engine.getStatus().lastSyncAt).toBeGreaterThan(w.clock.now() - 60_000);
    },
    after(w) {
      expect(w.db.duplicateInserts).toBeLessThanOrEqual(ONE_WINDOW);
    },
  },
  {
    name: 'flapping WebSocket dropping every few messages: HTTP carries on, WebSocket regained when healthy',
    world: { ws: { disconnectAfterMessages: 3 } },
    async run(w) {
      const a = w.startSession();
      const b = w.startSession();
      for (let round = 0; round < 60; round++) {
        w.write(a, 40);
        w.write(b, 15);
        await w.advance(2_000);
      }
      expect(w.total((t) => t.stats.sent.batch ?? 0, 'http')).toBeGreaterThan(0);
      expect(w.engine.getStatus().connection).toBe('fallback-http');
      w.setWsFaults({ disconnectAfterMessages: undefined });
      // The probe interval doubles while the socket keeps failing; 60 s is its cap.
      expect(await w.clock.advanceUntil(() => w.engine.getStatus().connection === 'live', 65_000)).toBe(true);
      const wsBatches = w.total((t) => t.stats.sent.batch ?? 0, 'ws');
      w.write(a, 100);
      w.end(a);
      w.end(b);
      expect(await w.settle()).toBe(true);
      expect(w.total((t) => t.stats.sent.batch ?? 0, 'ws')).toBeGreaterThan(wsBatches);
    },
  },
  {
    name: 'WebSocket never connects: HTTP carries everything, WebSocket used again once it works',
    async run(w) {
      w.setWebSocket(false);
      const a = w.startSession();
      for (let round = 0; round < 20; round++) {
        w.write(a, 100);
        await w.advance(3_000);
      }
      expect(w.store.inspect(a).ackedThrough).toBe(2_000);
      expect(w.total((t) => t.stats.opens, 'ws')).toBe(0);
      expect(w.total((t) => t.stats.sent.batch ?? 0, 'ws')).toBe(0);
      expect(w.engine.getStatus().connection).toBe('fallback-http');
      w.setWebSocket(true);
      // Probed at most a minute apart: back on the socket within one probe interval.
      expect(await w.clock.advanceUntil(() => w.engine.getStatus().connection === 'live', 65_000)).toBe(true);
      w.write(a, 300);
      w.end(a);
      expect(await w.settle()).toBe(true);
      expect(w.total((t) => t.stats.sent.batch ?? 0, 'ws')).toBeGreaterThan(0);
    },
    after(w) {
      expect(w.db.duplicateInserts).toBe(0);
    },
  },
  {
    name: 'batches delivered twice, to two server instances sharing one database, acks duplicated and reordered',
    world: {
      serverInstances: 2,
      ws: { duplicateOutboundRate: 0.5, duplicateInboundRate: 0.5, reorderRate: 0.3 },
      http: { duplicateOutboundRate: 0.5, duplicateInboundRate: 0.5, reorderRate: 0.3 },
      engine: { batchLimits: { maxEvents: 50 } },
    },
    async run(w) {
      const ids = [w.startSession(), w.startSession()];
      for (let round = 0; round < 20; round++) {
        for (const id of ids) w.write(id, 37);
        await w.advance(1_000);
      }
      ids.forEach((id) => w.end(id));
    },
    after(w) {
      expect(w.total((t) => t.stats.duplicatedOut)).toBeGreaterThan(5);
      expect(w.db.duplicateInserts).toBeGreaterThan(0);
      expect(w.servers.every((s) => (s.received.batch ?? 0) > 0)).toBe(true);
    },
  },
  {
    name: 'messages lost in both directions on an open connection (ack timeout recovers)',
    world: {
      ws: { dropOutboundRate: 0.15, dropInboundRate: 0.15 },
      http: { dropOutboundRate: 0.15, dropInboundRate: 0.15 },
    },
    async run(w) {
      const a = w.startSession();
      for (let round = 0; round < 10; round++) {
        w.write(a, 300);
        await w.advance(5_000);
      }
      w.end(a);
      await w.advance(10 * 60_000);
      expect(w.total((t) => t.stats.droppedOut + t.stats.droppedIn)).toBeGreaterThan(0);
      w.heal();
    },
  },
  {
    name: 'server refuses batches with retryable errors',
    world: {
      ws: { retryableRejectRate: 0.4 },
      http: { retryableRejectRate: 0.4 },
      engine: { batchLimits: { maxEvents: 100 } },
    },
    async run(w) {
      const a = w.startSession();
      w.write(a, 2_000);
      w.end(a);
      expect(await w.settle()).toBe(true);
      expect(w.total((t) => t.stats.rejected)).toBeGreaterThan(3);
      expect(w.engine.getStatus().quarantined).toEqual([]);
    },
  },
];

describe('sync engine under faults', () => {
  it.each(scenarios)('$name', async (scenario) => {
    const w = new SyncWorld({ seed: 20_260_105, ...scenario.world });
    w.startEngine();
    await scenario.run(w);
    expect(await w.settle(), 'did not converge').toBe(true);
    expect(w.problems()).toEqual([]);
    scenario.after?.(w);
    await w.engine.stop();
  });
});

describe('reconnect timing', () => {
  it('backs off exponentially with jitter up to the 5 min cap while offline, keeps retrying the WebSocket, and never gives up', async () => {
    const w = new SyncWorld({ seed: 77 });
    w.startEngine();
    const a = w.startSession();
    w.write(a, 50);
    await w.advance(1_000);
    w.setNetwork(false);
    const start = w.clock.now();
    await w.advance(3 * 3_600_000);
    const times = w.transports
      .flatMap((t) => t.stats.connectTimes)
      .filter((t) => t > start)
      .sort((x, y) => x - y);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Connect attempts (connect latency included) never wait more than the cap...
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5 * 60_000 + 1_000);
    // ...the waits grow: far fewer attempts than a fixed 1 s retry would make, but steady to the end.
    expect(times.length).toBeGreaterThan(30);
    expect(times.length).toBeLessThan(200);
    expect(times.at(-1)!).toBeGreaterThan(start + 3 * 3_600_000 - 10 * 60_000);
    // Nothing answers, so this is an outage, not a blocked WebSocket: the socket is retried throughout.
    expect(w.total((t) => t.stats.connectAttempts, 'ws')).toBeGreaterThan(30);
    expect(w.engine.getStatus().connection).not.toBe('live');
    w.write(a, 10);
    w.setNetwork(true, false); // nobody tells the engine: the capped backoff alone brings it back
    expect(await w.clock.advanceUntil(() => w.converged(), 5 * 60_000 + 5_000)).toBe(true);
    expect(w.problems()).toEqual([]);
  });
});
