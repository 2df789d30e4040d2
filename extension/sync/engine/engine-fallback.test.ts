import { describe, expect, it } from 'vitest';
import { FakeClock, sampleCapturedEvents, sampleSession } from '@codesight/schema/testing';
import type { BatchMessage } from '@codesight/schema';
import { createSyncEngine } from './engine';
import { MemorySyncStore } from '../store/memory-store';
import { createSeededRandom } from '../testing/random';
import { ScriptedTransport } from '../testing/scripted-transport';
import type { SyncStatus } from './status';

/**
 * When the engine falls back to HTTP and when it returns to the WebSocket, with both transports driven
 * by hand: the test decides which connects fail (the WebSocket, the HTTP check each WebSocket failure
 * triggers, or both) and when a probe opens.
 */

const SID = 'cs_test_aaaaa';
/** Longer than any backoff (5 min cap) or probe interval. */
const PATIENCE_MS = 10 * 60_000;

function setup(events = 10) {
  const clock = new FakeClock();
  const store = new MemorySyncStore();
  const s = sampleSession('x', 0);
  store.createSession(SID, {
    startTime: s.startTime,
    userAgent: s.userAgent,
    extensionVersion: s.extensionVersion,
    maskingPolicy: s.maskingPolicy,
  });
  const captured = sampleCapturedEvents();
  store.appendEvents(
    SID,
    Array.from({ length: events }, (_, i) => captured[i % captured.length]!),
  );
  const ws = new ScriptedTransport('ws');
  const http = new ScriptedTransport('http');
  ws.autoOpen = false;
  http.autoOpen = false;
  const engine = createSyncEngine({
    store,
    ws,
    http,
    clock,
    random: createSeededRandom(7),
    batchLimits: { maxEvents: 10 },
  });
  const statuses: SyncStatus[] = [];
  engine.subscribe((status) => statuses.push(status));
  const flush = () => clock.advance(0);
  /** Waits (fake time) for the engine's next connect on `transport`; false if none came. */
  const nextConnect = (transport: ScriptedTransport) =>
    clock.advanceUntil(() => transport.isConnecting, PATIENCE_MS, 100);
  /**
   * The next WebSocket connect fails, and HTTP to the same server works or not: the HTTP request the
   * failure prompts (the check) answers accordingly. Returns whether there was such a request.
   */
  const wsFails = async (httpWorks: boolean) => {
    expect(await nextConnect(ws)).toBe(true);
    ws.fail('connect failed');
    await flush();
    if (!http.isConnecting) return false;
    if (httpWorks) http.open();
    else http.fail('cannot reach the server');
    await flush();
    return true;
  };
  /** Answers the resume on `transport` as a server that holds 1..`acked` (nothing by default). */
  const resume = async (transport: ScriptedTransport, acked = 0) => {
    expect(transport.ofType('resume')).not.toHaveLength(0);
    transport.reply({ type: 'resume_state', sessions: [{ sessionId: SID, known: acked > 0, ackedThrough: acked }] });
    await flush();
  };
  const ranges = (batches: BatchMessage[]) => batches.map((b) => `${b.firstSequence}-${b.lastSequence}`);
  const ack = async (transport: ScriptedTransport, batch: BatchMessage) => {
    const inserted = batch.lastSequence - batch.firstSequence + 1;
    transport.reply({
      type: 'batch_ack',
      batchId: batch.batchId,
      sessionId: SID,
      ackedThrough: batch.lastSequence,
      inserted,
      duplicates: 0,
    });
    await flush();
  };
  /** Falls back the ordinary way: three WebSocket failures while HTTP works, then the HTTP link opens. */
  const fallBack = async () => {
    for (let i = 0; i < 3; i++) await wsFails(true);
    expect(await nextConnect(http)).toBe(true);
    http.open();
    await flush();
    await resume(http);
    expect(engine.getStatus().connection).toBe('fallback-http');
  };
  return { clock, ws, http, engine, statuses, flush, nextConnect, wsFails, resume, ranges, ack, fallBack };
}

describe('HTTP fallback', () => {
  it('server down then back: stays on WebSocket', async () => {
    const t = setup();
    t.engine.start();
    await t.flush();
    // The server is down: every WebSocket connect fails, and so does the HTTP request each one prompts.
    for (let i = 0; i < 8; i++) await t.wsFails(false);
    // It is back: whatever the engine tries next works. That is the WebSocket, and it carries everything.
    t.ws.autoOpen = true;
    t.http.autoOpen = true;
    for (const transport of [t.ws, t.http]) if (transport.isConnecting) transport.open();
    expect(await t.clock.advanceUntil(() => t.ws.isOpen || t.http.isOpen, PATIENCE_MS, 100)).toBe(true);
    expect(t.http.sent).toEqual([]);
    await t.resume(t.ws);
    expect(t.engine.getStatus().connection).toBe('live');
    expect(t.ranges(t.ws.batches())).toEqual(['1-10']);
    expect(t.statuses.map((s) => s.connection)).not.toContain('fallback-http');
    // HTTP was only ever asked whether it works, once per WebSocket failure.
    expect(t.http.connects).toBe(8);
  });

  it('WebSocket blocked but HTTP works: falls back to HTTP', async () => {
    const t = setup();
    t.engine.start();
    await t.flush();
    // Two failures during an outage, then one with HTTP answering: only that one counts so far.
    await t.wsFails(false);
    await t.wsFails(false);
    await t.wsFails(true);
    expect(await t.nextConnect(t.ws)).toBe(true);
    expect(t.http.isConnecting).toBe(false);
    // Two more while HTTP works make three: the WebSocket is blocked, HTTP carries the traffic.
    t.ws.fail('connect failed');
    await t.flush();
    t.http.open();
    await t.flush();
    const before = t.clock.now();
    await t.wsFails(true);
    expect(await t.nextConnect(t.http)).toBe(true);
    // HTTP answered, so no outage backoff is waited out before switching.
    expect(t.clock.now() - before).toBeLessThanOrEqual(2_000);
    t.http.open();
    await t.flush();
    await t.resume(t.http);
    expect(t.engine.getStatus().connection).toBe('fallback-http');
    expect(t.ranges(t.http.batches())).toEqual(['1-10']);
    expect(t.ws.sent).toEqual([]);
  });

  it('on HTTP: returns to WebSocket as soon as a probe connects', async () => {
    const t = setup(30);
    t.engine.start();
    await t.flush();
    await t.fallBack();
    const fellBackAt = t.clock.now();
    const httpBatches = t.http.batches();
    expect(t.ranges(httpBatches)).toEqual(['1-10', '11-20', '21-30']);
    await t.ack(t.http, httpBatches[0]!);
    // The first probe comes 5 s after falling back.
    expect(await t.nextConnect(t.ws)).toBe(true);
    expect(t.clock.now() - fellBackAt).toBeLessThanOrEqual(5_100);
    t.ws.open();
    await t.flush();
    // At once: the HTTP link is closed and the engine resumes on the socket, resending what HTTP had in flight.
    expect(t.http.closes.at(-1)).toBe('switching back to websocket');
    await t.resume(t.ws, 10);
    expect(t.engine.getStatus().connection).toBe('live');
    expect(t.ranges(t.ws.batches())).toEqual(['11-20', '21-30']);
  });

  it('probe interval is capped', async () => {
    const t = setup();
    t.engine.start();
    await t.flush();
    await t.fallBack();
    // Acked, so the HTTP link has nothing outstanding and stays up however long the probes go on.
    await t.ack(t.http, t.http.batches()[0]!);
    const probes: number[] = [t.clock.now()];
    for (let i = 0; i < 8; i++) {
      expect(await t.nextConnect(t.ws)).toBe(true);
      probes.push(t.clock.now());
      t.ws.fail('connect failed');
      await t.flush();
    }
    const gaps = probes.slice(1).map((at, i) => Math.round((at - probes[i]!) / 1_000));
    // 5 s, doubling, then every minute for as long as the socket stays blocked (it was up to 10 min).
    expect(gaps).toEqual([5, 10, 20, 40, 60, 60, 60, 60]);
    expect(t.engine.getStatus().connection).toBe('fallback-http');
    // Probes that fail never touch the HTTP link.
    expect(t.http.closes.filter((r) => r === 'switching back to websocket')).toEqual([]);
  });
});
