import { describe, expect, it } from 'vitest';
import { FakeClock, sampleCapturedEvents, sampleSession } from '@codesight/schema/testing';
import type { BatchMessage, SessionMeta } from '@codesight/schema';
import { createSyncEngine, DEFAULT_ACK_TIMEOUT_MS, MAX_INCOMPLETE_CLOSES, type SyncEngineOptions } from './engine';
import { DEFAULT_BACKOFF } from './backoff';
import { MemorySyncStore } from '../store/memory-store';
import { createSeededRandom } from '../testing/random';
import { ScriptedTransport } from '../testing/scripted-transport';
import type { SyncStatus } from './status';

/**
 * State-machine tests with a hand-driven transport: the test plays the server message by message, so
 * the order of acks, errors and drops is exactly what each case needs.
 */

const META: SessionMeta = (() => {
  const s = sampleSession('x', 0);
  return {
    startTime: s.startTime,
    userAgent: s.userAgent,
    extensionVersion: s.extensionVersion,
    maskingPolicy: s.maskingPolicy,
  };
})();
const SID = 'cs_test_aaaaa';
const SID2 = 'cs_test_bbbbb';

type SetupOptions = Partial<Omit<SyncEngineOptions, 'http'>> & { events?: number; ended?: boolean; http?: boolean };

function setup({ events, ended, http: withHttp, ...options }: SetupOptions = {}) {
  const clock = new FakeClock();
  const store = new MemorySyncStore();
  const ws = new ScriptedTransport('ws');
  const http = withHttp ? new ScriptedTransport('http') : undefined;
  const captured = sampleCapturedEvents();
  const write = (id: string, n: number) => {
    store.appendEvents(
      id,
      Array.from({ length: n }, (_, i) => captured[i % captured.length]!),
    );
  };
  if (events !== undefined) {
    store.createSession(SID, META);
    write(SID, events);
    if (ended) store.endSession(SID, clock.now());
  }
  const engine = createSyncEngine({
    store,
    ws,
    http,
    clock,
    random: createSeededRandom(42),
    batchLimits: { maxEvents: 10 },
    ...options,
  });
  const statuses: SyncStatus[] = [];
  engine.subscribe((s) => statuses.push(s));
  const flush = () => clock.advance(0);
  /** Starts the engine and answers its resume with the given server watermarks. */
  const startAndResume = async (acked: Record<string, number> = {}) => {
    engine.start();
    await flush();
    const resume = ws.ofType('resume').at(-1);
    expect(resume).toBeDefined();
    ws.reply({
      type: 'resume_state',
      sessions: resume!.sessionIds.map((id) => ({
        sessionId: id,
        known: (acked[id] ?? 0) > 0,
        ackedThrough: acked[id] ?? 0,
      })),
    });
    await flush();
  };
  const ack = async (batch: BatchMessage, ackedThrough: number) => {
    ws.reply({
      type: 'batch_ack',
      batchId: batch.batchId,
      sessionId: batch.sessionId,
      ackedThrough,
      inserted: batch.events.length,
      duplicates: 0,
    });
    await flush();
  };
  const ranges = (batches: BatchMessage[]) => batches.map((b) => `${b.firstSequence}-${b.lastSequence}`);
  return { clock, store, ws, http, engine, statuses, write, flush, startAndResume, ack, ranges };
}

describe('resume', () => {
  it.each([
    {
      name: 'server behind the local watermark: trust the local one',
      local: 100,
      server: 50,
      known: true,
      first: 101,
      stored: 100,
    },
    {
      name: 'server ahead (acks lost when the worker died): skip what it holds',
      local: 100,
      server: 250,
      known: true,
      first: 251,
      stored: 250,
    },
    { name: 'server never saw the session: resend from 1', local: 100, server: 0, known: false, first: 1, stored: 100 },
  ])('$name', async ({ local, server, known, first, stored }) => {
    const t = setup({ events: 300 });
    await t.store.setAckedThrough(SID, local);
    t.engine.start();
    await t.flush();
    expect(t.ws.sent).toEqual([{ type: 'resume', sessionIds: [SID] }]);
    t.ws.reply({ type: 'resume_state', sessions: [{ sessionId: SID, known, ackedThrough: server }] });
    await t.flush();
    expect(t.ws.batches()[0]).toMatchObject({
      sessionId: SID,
      firstSequence: first,
      lastSequence: first + 9,
      session: META,
    });
    expect(t.store.inspect(SID).ackedThrough).toBe(stored);
  });

  it('sends no resume when nothing is pending, and batches at once when events arrive', async () => {
    const t = setup();
    t.engine.start();
    await t.flush();
    expect(t.ws.sent).toEqual([]);
    expect(t.engine.getStatus().connection).toBe('live');
    t.store.createSession(SID, META);
    t.write(SID, 3);
    t.engine.kick();
    await t.flush();
    expect(t.ranges(t.ws.batches())).toEqual(['1-3']);
  });

  it('marks a session the server already completed as closed without resending', async () => {
    const t = setup({ events: 30, ended: true });
    t.engine.start();
    await t.flush();
    t.ws.reply({
      type: 'resume_state',
      sessions: [{ sessionId: SID, known: true, ackedThrough: 30, status: 'complete' }],
    });
    await t.flush();
    expect(t.ws.batches()).toEqual([]);
    expect(t.ws.ofType('session_close')).toEqual([]);
    expect(t.store.inspect(SID)).toMatchObject({ ackedThrough: 30, closedOnServer: true });
  });
});

describe('window and acks', () => {
  it('keeps at most `window` batches in flight', async () => {
    const t = setup({ events: 100, window: 4 });
    await t.startAndResume();
    expect(t.ranges(t.ws.batches())).toEqual(['1-10', '11-20', '21-30', '31-40']);
    await t.clock.advance(5_000);
    expect(t.ws.batches()).toHaveLength(4);
    await t.ack(t.ws.batches()[1]!, 0);
    expect(t.ranges(t.ws.batches())).toEqual(['1-10', '11-20', '21-30', '31-40', '41-50']);
  });

  it('takes acks in any order, only ever raising the watermark', async () => {
    const t = setup({ events: 40, window: 4 });
    await t.startAndResume();
    const [b1, b2, b3, b4] = t.ws.batches();
    await t.ack(b3!, 0);
    expect(t.store.inspect(SID).ackedThrough).toBe(0);
    await t.ack(b2!, 0);
    await t.ack(b1!, 30);
    expect(t.store.inspect(SID).ackedThrough).toBe(30);
    await t.ack(b1!, 10); // a late duplicate of an older answer
    expect(t.store.inspect(SID).ackedThrough).toBe(30);
    await t.ack(b4!, 40);
    expect(t.store.inspect(SID).ackedThrough).toBe(40);
    expect(t.store.loweringAttempts).toBe(0);
    expect(t.engine.getStatus().pendingEvents).toBe(0);
  });

  it('after a reconnect resends only what the server lacks, not batches it acked past a gap', async () => {
    const t = setup({ events: 60, window: 4 });
    await t.startAndResume();
    const [, b2, b3, b4] = t.ws.batches();
    // Batch 1 was lost; 2-4 stored past the gap, so the watermark stays 0.
    await t.ack(b2!, 0);
    await t.ack(b3!, 0);
    await t.ack(b4!, 0);
    const sentBefore = t.ws.sent.length;
    expect(t.ranges(t.ws.batches())).toEqual(['1-10', '11-20', '21-30', '31-40', '41-50', '51-60']);
    t.ws.fail('dropped');
    await t.clock.advance(1_000); // backoff base: the first retry comes within 1 s
    expect(t.ws.connects).toBe(2);
    t.ws.reply({ type: 'resume_state', sessions: [{ sessionId: SID, known: true, ackedThrough: 0 }] });
    await t.flush();
    expect(t.ranges(t.ws.batches(sentBefore))).toEqual(['1-10', '41-50', '51-60']);
    await t.ack(t.ws.batches(sentBefore)[0]!, 40);
    expect(t.store.inspect(SID).ackedThrough).toBe(40);
  });

  it('shares the window round-robin between sessions', async () => {
    const t = setup({ events: 100, window: 4 });
    t.store.createSession(SID2, META);
    t.write(SID2, 100);
    await t.startAndResume();
    expect(t.ws.batches().map((b) => b.sessionId)).toEqual([SID, SID2, SID, SID2]);
  });
});

describe('errors', () => {
  it('a retryable refusal pauses sending for a backoff, then resends the same range', async () => {
    const t = setup({ events: 100, window: 4 });
    await t.startAndResume();
    const b1 = t.ws.batches()[0]!;
    t.ws.reply({ type: 'error', code: 'rate_limited', message: 'slow down', retryable: true, batchId: b1.batchId });
    await t.flush();
    await t.ack(t.ws.batches()[1]!, 0); // frees a slot, but sending is paused
    expect(t.ws.batches()).toHaveLength(4);
    await t.clock.advance(1_000);
    expect(t.ranges(t.ws.batches()).slice(4)).toEqual(['1-10', '41-50']);
    expect(t.engine.getStatus().quarantined).toEqual([]);
    expect(t.engine.getStatus().lastError).toMatchObject({ code: 'rate_limited', sessionId: SID });
  });

  it('an error that names no batch drops the connection and reconnects after a backoff', async () => {
    const t = setup({ events: 20, ended: true });
    await t.startAndResume();
    await t.ack(t.ws.batches()[1]!, 0);
    await t.ack(t.ws.batches()[0]!, 20);
    expect(t.ws.ofType('session_close')).toEqual([
      { type: 'session_close', sessionId: SID, endTime: t.clock.now(), finalCount: 20 },
    ]);
    t.ws.reply({ type: 'error', code: 'internal', message: 'db down', retryable: true });
    await t.flush();
    expect(t.ws.closes).toEqual(['server error internal']);
    expect(t.engine.getStatus().connection).toBe('offline');
    await t.clock.advance(2_000);
    expect(t.ws.connects).toBe(2);
  });

  it('a rate limit that says how long to wait is waited out: no resend before retryAfterMs', async () => {
    const t = setup({ events: 100, window: 4 });
    await t.startAndResume();
    const b1 = t.ws.batches()[0]!;
    t.ws.reply({
      type: 'error',
      code: 'rate_limited',
      message: 'rate limit exceeded: resend this message in 8 s',
      retryable: true,
      batchId: b1.batchId,
      retryAfterMs: 8_000,
    });
    await t.flush();
    await t.ack(t.ws.batches()[1]!, 0);
    await t.clock.advance(7_999);
    expect(t.ws.batches()).toHaveLength(4);
    await t.clock.advance(1);
    expect(t.ranges(t.ws.batches()).slice(4)).toEqual(['1-10', '41-50']);
  });

  it('a refusal in place (no batch named) with retryAfterMs reconnects no sooner, and no later than the backoff cap', async () => {
    const t = setup({ events: 20 });
    await t.startAndResume();
    t.ws.reply({ type: 'error', code: 'rate_limited', message: 'later', retryable: true, retryAfterMs: 45_000 });
    await t.flush();
    expect(t.ws.closes).toEqual(['server error rate_limited']);
    await t.clock.advance(44_999);
    expect(t.ws.connects).toBe(1);
    await t.clock.advance(1);
    expect(t.ws.connects).toBe(2);

    // A server asking for a day is not believed past the engine's own worst backoff (5 min).
    await t.flush();
    t.ws.reply({ type: 'error', code: 'rate_limited', message: 'later', retryable: true, retryAfterMs: 86_400_000 });
    await t.flush();
    expect(t.ws.closes).toHaveLength(2);
    await t.clock.advance(DEFAULT_BACKOFF.maxMs);
    expect(t.ws.connects).toBe(3);
  });

  it('no answer within the ack timeout means a dead connection: drop and resume', async () => {
    const t = setup({ events: 20 });
    await t.startAndResume();
    await t.clock.advance(DEFAULT_ACK_TIMEOUT_MS - 1_000);
    expect(t.ws.closes).toEqual([]);
    await t.clock.advance(1_000);
    expect(t.ws.closes).toEqual(['no answer for 30 s']);
    expect(t.engine.getStatus().lastError?.code).toBe('ack_timeout');
    await t.clock.advance(1_000);
    expect(t.ws.ofType('resume')).toHaveLength(2);
  });

  it('a session the server keeps calling incomplete is quarantined, not re-uploaded forever', async () => {
    const t = setup({ events: 10, ended: true });
    await t.startAndResume();
    for (let round = 0; round <= MAX_INCOMPLETE_CLOSES; round++) {
      const batch = t.ws.batches().at(-1)!;
      await t.ack(batch, 10);
      const close = t.ws.ofType('session_close');
      expect(close).toHaveLength(round + 1);
      t.ws.reply({ type: 'session_closed', sessionId: SID, status: 'incomplete', ackedThrough: 0, missing: 10 });
      await t.flush();
    }
    expect(t.ws.batches()).toHaveLength(MAX_INCOMPLETE_CLOSES + 1);
    expect(t.engine.getStatus().quarantined).toMatchObject([
      { sessionId: SID, code: 'incomplete_close', firstSequence: 1, lastSequence: 10 },
    ]);
  });
});

describe('session close', () => {
  it('closes once everything is acked; incomplete resends from the server watermark; complete marks the store', async () => {
    const t = setup({ events: 20, ended: true });
    await t.startAndResume();
    const [b1, b2] = t.ws.batches();
    await t.ack(b1!, 10);
    expect(t.ws.ofType('session_close')).toEqual([]);
    await t.ack(b2!, 20);
    expect(t.ws.ofType('session_close')).toHaveLength(1);
    t.ws.reply({ type: 'session_closed', sessionId: SID, status: 'incomplete', ackedThrough: 12, missing: 8 });
    await t.flush();
    expect(t.ranges(t.ws.batches()).slice(2)).toEqual(['13-20']);
    await t.ack(t.ws.batches()[2]!, 20);
    expect(t.ws.ofType('session_close')).toHaveLength(2);
    t.ws.reply({ type: 'session_closed', sessionId: SID, status: 'complete', ackedThrough: 20, missing: 0 });
    await t.flush();
    expect(t.store.inspect(SID)).toMatchObject({ ackedThrough: 20, closedOnServer: true });
    expect(await t.store.listPendingSessions()).toEqual([]);
  });

  it('an ended session without events is settled locally: there is nothing to close on the server', async () => {
    const t = setup({ events: 0, ended: true });
    t.engine.start();
    await t.flush();
    expect(t.ws.sent).toEqual([]);
    expect(t.store.inspect(SID).closedOnServer).toBe(true);
  });
});

describe('status and lifecycle', () => {
  it('reports connecting → live with pending counts, and notifies subscribers on change only', async () => {
    const t = setup({ events: 10 });
    t.ws.autoOpen = false;
    t.engine.start();
    await t.flush();
    expect(t.engine.getStatus()).toMatchObject({ connection: 'connecting', pendingEvents: 10 });
    t.ws.open();
    await t.flush();
    t.ws.reply({ type: 'resume_state', sessions: [{ sessionId: SID, known: false, ackedThrough: 0 }] });
    await t.flush();
    expect(t.engine.getStatus().connection).toBe('live');
    await t.ack(t.ws.batches()[0]!, 10);
    expect(t.engine.getStatus()).toMatchObject({ connection: 'live', pendingEvents: 0, lastSyncAt: t.clock.now() });
    const count = t.statuses.length;
    t.engine.kick();
    await t.flush();
    expect(t.statuses).toHaveLength(count);
    expect(t.statuses.map((s) => s.connection)).toEqual(['connecting', 'live', 'live']);
  });

  it('falls back to HTTP after three failed WebSocket connects while HTTP works, and says so', async () => {
    const t = setup({ events: 10, http: true });
    t.ws.autoOpen = false;
    t.engine.start();
    await t.flush();
    for (let i = 0; i < 3; i++) {
      t.ws.fail('connect failed');
      // HTTP answered, so the retry comes after the 1 s base backoff, not a grown one.
      await t.clock.advance(1_000);
    }
    expect(t.ws.connects).toBe(3);
    // One HTTP request per WebSocket failure asked whether HTTP works; then the HTTP connection.
    expect(t.http!.connects).toBe(4);
    expect(t.http!.ofType('resume')).toHaveLength(1);
    t.http!.reply({ type: 'resume_state', sessions: [{ sessionId: SID, known: false, ackedThrough: 0 }] });
    await t.flush();
    expect(t.engine.getStatus().connection).toBe('fallback-http');
    expect(t.ranges(t.http!.batches())).toEqual(['1-10']);
  });

  it('on HTTP, probes the WebSocket on schedule and moves back to it when a probe opens', async () => {
    const t = setup({ events: 30, http: true });
    t.ws.autoOpen = false;
    t.engine.start();
    await t.flush();
    for (let i = 0; i < 3; i++) {
      t.ws.fail('connect failed');
      await t.clock.advance(1_000);
    }
    t.http!.reply({ type: 'resume_state', sessions: [{ sessionId: SID, known: false, ackedThrough: 0 }] });
    await t.flush();
    const httpBatches = t.http!.batches();
    expect(t.ranges(httpBatches)).toEqual(['1-10', '11-20', '21-30']);
    for (const [i, b] of httpBatches.slice(0, 2).entries()) {
      t.http!.reply({
        type: 'batch_ack',
        batchId: b.batchId,
        sessionId: SID,
        ackedThrough: 10 * (i + 1),
        inserted: 10,
        duplicates: 0,
      });
    }
    await t.flush();
    t.http!.reply({
      type: 'batch_ack',
      batchId: httpBatches[2]!.batchId,
      sessionId: SID,
      ackedThrough: 30,
      inserted: 10,
      duplicates: 0,
    });
    await t.flush();
    // First probe 5 s after falling back; it fails, so the next one waits 10 s.
    await t.clock.advance(5_000);
    expect(t.ws.connects).toBe(4);
    t.ws.fail('connect failed');
    await t.clock.advance(9_000);
    expect(t.ws.connects).toBe(4);
    await t.clock.advance(1_000);
    expect(t.ws.connects).toBe(5);
    t.ws.open();
    await t.flush();
    expect(t.http!.closes.filter((r) => r !== 'http check done')).toEqual(['switching back to websocket']);
    // Everything was acked over HTTP: nothing to resume, nothing resent; new events go over the socket.
    expect(t.ws.sent).toEqual([]);
    expect(t.engine.getStatus()).toMatchObject({ connection: 'live', pendingEvents: 0 });
    t.write(SID, 5);
    t.engine.kick();
    await t.flush();
    expect(t.ranges(t.ws.batches())).toEqual(['31-35']);
    expect(t.http!.batches()).toHaveLength(3);
  });

  it('kick("online") reconnects at once instead of waiting out the backoff', async () => {
    const t = setup({ events: 10 });
    t.ws.autoOpen = false;
    t.engine.start();
    await t.flush();
    for (let i = 0; i < 12; i++) {
      t.ws.fail('connect failed');
      await t.clock.advance(t.clock.pendingTimers > 0 ? 400_000 : 0);
    }
    const connects = t.ws.connects;
    t.ws.fail('connect failed');
    await t.flush();
    t.engine.kick('online');
    await t.flush();
    expect(t.ws.connects).toBe(connects + 1);
  });

  it('stop() closes the connection and nothing happens afterwards', async () => {
    const t = setup({ events: 50 });
    await t.startAndResume();
    await t.engine.stop();
    expect(t.ws.closes).toEqual(['stopped']);
    const sent = t.ws.sent.length;
    t.write(SID, 10);
    t.engine.kick('online');
    await t.clock.advance(3_600_000);
    expect(t.ws.sent).toHaveLength(sent);
    expect(t.ws.connects).toBe(1);
    expect(t.engine.getStatus().connection).toBe('offline');
  });

  it('a failing store is reported and retried on a fresh connection', async () => {
    const t = setup({ events: 20 });
    const read = t.store.readEvents.bind(t.store);
    let failures = 1;
    t.store.readEvents = async (...args) => {
      if (failures-- > 0) throw new Error('QuotaExceededError');
      return read(...args);
    };
    await t.startAndResume();
    expect(t.engine.getStatus().lastError).toMatchObject({ code: 'store', message: 'QuotaExceededError' });
    expect(t.ws.batches()).toEqual([]);
    await t.clock.advance(1_000);
    t.ws.reply({ type: 'resume_state', sessions: [{ sessionId: SID, known: false, ackedThrough: 0 }] });
    await t.flush();
    expect(t.ranges(t.ws.batches())).toEqual(['1-10', '11-20']);
  });
});
