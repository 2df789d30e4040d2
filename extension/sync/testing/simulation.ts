import { FakeClock, sampleCapturedEvents, sampleSession } from '@codesight/schema/testing';
import type { CapturedEvent, SessionMeta } from '@codesight/schema';
import { createSyncEngine, type SyncEngine, type SyncEngineOptions } from '../engine/engine';
import { FakeSyncDatabase, FakeSyncServer } from './fake-server';
import { FakeTransport, NO_FAULTS, type FaultConfig } from './fake-transport';
import { MemorySyncStore } from '../store/memory-store';
import { createSeededRandom } from './random';

/** Engine tuning a test may override (everything else is wired by the world). */
export type WorldEngineOptions = Omit<SyncEngineOptions, 'store' | 'ws' | 'http' | 'clock' | 'random'>;

/** Options of {@link SyncWorld}. */
export interface SyncWorldOptions {
  seed: number;
  /** Server instances behind the "load balancer", sharing one database. */
  serverInstances?: number;
  ws?: Partial<FaultConfig>;
  http?: Partial<FaultConfig>;
  /** Give the engine an HTTP fallback (default true). */
  withHttp?: boolean;
  engine?: WorldEngineOptions;
}

const META: SessionMeta = (() => {
  const s = sampleSession('meta', 0);
  return {
    startTime: s.startTime,
    userAgent: s.userAgent,
    extensionVersion: s.extensionVersion,
    maskingPolicy: s.maskingPolicy,
  };
})();

/** Compact text of sorted sequences, e.g. `1-40,42-50`. */
export function describeRanges(sequences: readonly number[]): string {
  const parts: string[] = [];
  let start: number | undefined;
  let prev = 0;
  for (const q of sequences) {
    if (start === undefined) start = q;
    else if (q !== prev + 1) {
      parts.push(start === prev ? `${start}` : `${start}-${prev}`);
      start = q;
    }
    prev = q;
  }
  if (start !== undefined) parts.push(start === prev ? `${start}` : `${start}-${prev}`);
  return parts.join(',') || 'nothing';
}

/**
 * Test support (not app code): a recorder writing into a memory store, a sync engine over it, two fake
 * transports (WebSocket and HTTP) into fake server instances sharing one database, all on one fake
 * clock and seeded PRNGs, so a whole run replays exactly from its seed. The engine can be "crashed"
 * (its timers and connections vanish, as when the service worker is killed) and a new one started over
 * the same store.
 */
export class SyncWorld {
  readonly clock = new FakeClock();
  readonly db = new FakeSyncDatabase();
  readonly servers: FakeSyncServer[];
  readonly store = new MemorySyncStore();
  readonly random: () => number;
  /** Every transport ever created, oldest first (each engine life gets fresh ones). */
  readonly transports: FakeTransport[] = [];
  ws!: FakeTransport;
  http!: FakeTransport;
  engine!: SyncEngine;
  engineLives = 0;
  private wsFaults: FaultConfig;
  private httpFaults: FaultConfig;
  private networkUp = true;
  private wsUp = true;
  private scope: ReturnType<FakeClock['scope']> | undefined;
  private readonly captured: CapturedEvent[] = sampleCapturedEvents();
  private writes = 0;
  private sessionCounter = 0;

  constructor(readonly options: SyncWorldOptions) {
    this.random = createSeededRandom(options.seed);
    this.servers = Array.from(
      { length: options.serverInstances ?? 1 },
      (_, i) => new FakeSyncServer(this.db, `server-${i}`),
    );
    this.wsFaults = { ...NO_FAULTS, ...options.ws };
    this.httpFaults = { ...NO_FAULTS, ...options.http };
  }

  /** Starts a new engine life with fresh transports over the same store and server database. */
  startEngine(engine: WorldEngineOptions = this.options.engine ?? {}): SyncEngine {
    this.scope = this.clock.scope();
    this.engineLives += 1;
    const fork = () => createSeededRandom(Math.floor(this.random() * 2 ** 32));
    this.ws = new FakeTransport({
      kind: 'ws',
      clock: this.scope,
      random: fork(),
      servers: this.servers,
      faults: this.wsFaults,
    });
    this.http = new FakeTransport({
      kind: 'http',
      clock: this.scope,
      random: fork(),
      servers: this.servers,
      faults: this.httpFaults,
    });
    this.ws.setReachable(this.networkUp && this.wsUp);
    this.http.setReachable(this.networkUp);
    this.transports.push(this.ws, this.http);
    this.engine = createSyncEngine({
      ...engine,
      store: this.store,
      ws: this.ws,
      http: this.options.withHttp === false ? undefined : this.http,
      clock: this.scope,
      random: fork(),
    });
    this.engine.start();
    return this.engine;
  }

  /**
   * The service worker is killed: no more timers, connections gone, nothing flushed. `stop()` only
   * serves to end the old engine's queue of pending reactions (a dead worker runs none); its own
   * graceful close goes to a transport that is already severed.
   */
  crashEngine(): void {
    void this.engine?.stop();
    this.scope?.dispose();
    this.ws?.sever();
    this.http?.sever();
  }

  restartEngine(): SyncEngine {
    this.crashEngine();
    return this.startEngine();
  }

  /** Starts recording a new session; returns its id. */
  startSession(): string {
    const id = `cs_sim${this.options.seed.toString(36)}_${(++this.sessionCounter).toString(36)}`;
    this.store.createSession(id, { ...META, startTime: this.clock.now() });
    return id;
  }

  /** The recorder durably writes `count` events, then tells the engine. */
  write(sessionId: string, count: number, kick = true): void {
    const batch: CapturedEvent[] = [];
    for (let i = 0; i < count; i++) {
      const e = this.captured[this.writes++ % this.captured.length]!;
      batch.push({ ...e, timestamp: this.clock.now() + i });
    }
    this.store.appendEvents(sessionId, batch);
    if (kick) this.engine?.kick();
  }

  end(sessionId: string): void {
    this.store.endSession(sessionId, this.clock.now());
    this.engine?.kick();
  }

  /** The whole network goes down or comes back (both transports); coming back tells the engine, as `online` would. */
  setNetwork(up: boolean, announce = true): void {
    this.networkUp = up;
    this.ws.setReachable(up && this.wsUp);
    this.http.setReachable(up);
    if (up && announce) this.engine.kick('online');
  }

  /** Only the WebSocket endpoint goes down or comes back (a proxy that blocks upgrades). */
  setWebSocket(up: boolean): void {
    this.wsUp = up;
    this.ws.setReachable(this.networkUp && up);
  }

  setWsFaults(faults: Partial<FaultConfig>): void {
    Object.assign(this.wsFaults, faults);
    this.ws.faults = this.wsFaults;
  }

  setHttpFaults(faults: Partial<FaultConfig>): void {
    Object.assign(this.httpFaults, faults);
    this.http.faults = this.httpFaults;
  }

  /** Removes every fault and brings the network back. */
  heal(): void {
    this.setWsFaults(NO_FAULTS);
    this.setHttpFaults(NO_FAULTS);
    this.wsUp = true;
    this.setNetwork(true);
  }

  advance(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** Every session fully acked, and closed complete once ended. */
  converged(): boolean {
    return this.store.sessionIds().every((id) => {
      const s = this.store.inspect(id);
      return s.ackedThrough >= s.eventCount && (!s.ended || s.closedOnServer);
    });
  }

  /** Advances until {@link converged}; false if `maxMs` of fake time was not enough. */
  settle(maxMs = 2 * 3_600_000): Promise<boolean> {
    return this.clock.advanceUntil(() => this.converged(), maxMs, 1_000);
  }

  /** Sum over all transports ever used of one counter. */
  total(pick: (t: FakeTransport) => number, kind?: 'ws' | 'http'): number {
    return this.transports.filter((t) => !kind || t.kind === kind).reduce((sum, t) => sum + pick(t), 0);
  }

  /**
   * Everything that is wrong with the end state: server rows not exactly 1..N, a row stored twice or
   * with other content, a local watermark below N, an ended session not closed complete. Empty is good.
   */
  problems(): string[] {
    const out: string[] = [];
    let expectedRows = 0;
    for (const id of this.store.sessionIds()) {
      const local = this.store.inspect(id);
      const n = local.eventCount;
      expectedRows += n;
      const seqs = this.db.storedSequences(id);
      const exact = seqs.length === n && seqs.every((q, i) => q === i + 1);
      if (!exact) out.push(`${id}: server holds ${describeRanges(seqs)}, expected 1-${n}`);
      if (local.ackedThrough !== n) out.push(`${id}: local ackedThrough ${local.ackedThrough}, expected ${n}`);
      if (local.ended && n > 0) {
        if (!local.closedOnServer) out.push(`${id}: ended but not closed on server`);
        if (this.db.status(id) !== 'complete')
          out.push(`${id}: server status ${this.db.status(id) ?? 'unknown'}, expected complete`);
      }
    }
    if (this.db.storedRows !== expectedRows)
      out.push(`server stored ${this.db.storedRows} rows, expected ${expectedRows}`);
    if (this.db.conflictingDuplicates > 0)
      out.push(`${this.db.conflictingDuplicates} resends differed from the stored row`);
    if (this.store.loweringAttempts > 0)
      out.push(`the engine tried to lower ackedThrough ${this.store.loweringAttempts} times`);
    return out;
  }
}
