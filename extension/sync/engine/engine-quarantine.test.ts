import { describe, expect, it } from 'vitest';
import type { BatchMessage } from '@codesight/schema';
import { DEFAULT_WINDOW } from './engine';
import type { FakeRefusal } from '../testing/fake-server';
import { SyncWorld } from '../testing/simulation';

/** Refuses, on every server instance, any batch of `sessionId` containing `sequence`. */
function poison(w: SyncWorld, sessionId: string, sequence: number, refusal: FakeRefusal): void {
  for (const server of w.servers) {
    server.refuseBatch = (b: BatchMessage) =>
      b.sessionId === sessionId && b.firstSequence <= sequence && sequence <= b.lastSequence ? refusal : undefined;
  }
}

const refusals = (w: SyncWorld) => w.servers.reduce((sum, s) => sum + s.refusals, 0);

/** Problems of every session but `except` (which is expected to be stuck). */
const othersProblems = (w: SyncWorld, except: string) =>
  w.problems().filter((p) => !p.startsWith(except) && !p.startsWith('server stored'));

describe('quarantine', () => {
  it('a permanently refused event is isolated by bisection, quarantined with its reason, never retried; other sessions finish', async () => {
    const w = new SyncWorld({ seed: 5, serverInstances: 2 });
    w.startEngine();
    const [a, b, c] = [w.startSession(), w.startSession(), w.startSession()];
    poison(w, b, 737, { code: 'validation_failed', message: 'events.236.target: invalid type', retryable: false });
    for (const id of [a, b, c]) w.write(id, 1_500);
    [a, b, c].forEach((id) => w.end(id));
    await w.advance(10 * 60_000);

    for (const id of [a, c]) expect(w.store.inspect(id)).toMatchObject({ ackedThrough: 1_500, closedOnServer: true });
    expect(othersProblems(w, b)).toEqual([]);
    expect(w.store.inspect(b)).toMatchObject({ ackedThrough: 736, closedOnServer: false });
    const held = w.db.storedSequences(b);
    expect(held.slice(0, 736)).toEqual(Array.from({ length: 736 }, (_, i) => i + 1));
    expect(held).not.toContain(737);
    const status = w.engine.getStatus();
    expect(status.quarantined).toEqual([
      {
        sessionId: b,
        firstSequence: 737,
        lastSequence: 737,
        code: 'validation_failed',
        reason: 'events.236.target: invalid type',
        at: expect.any(Number) as number,
        blockedEvents: 1_500 - 736,
      },
    ]);
    expect(status.pendingEvents).toBe(1_500 - 736);
    expect(await w.store.listQuarantine()).toHaveLength(1);
    // Bisection of a 500-event batch takes about log2(500) refusals, not one per retry forever.
    const count = refusals(w);
    expect(count).toBeGreaterThan(3);
    expect(count).toBeLessThan(12 + DEFAULT_WINDOW);

    await w.advance(2 * 3_600_000);
    expect(refusals(w)).toBe(count);
    w.restartEngine(); // the quarantine is stored: a new service worker does not retry it either
    await w.advance(3_600_000);
    expect(refusals(w)).toBe(count);
    expect(w.engine.getStatus().quarantined).toHaveLength(1);

    // The worker acts (say, after an update fixed the server): retry brings everything in.
    for (const server of w.servers) server.refuseBatch = undefined;
    await w.engine.retryQuarantined(b);
    expect(await w.settle()).toBe(true);
    expect(w.problems()).toEqual([]);
    expect(w.engine.getStatus().quarantined).toEqual([]);
  });

  it('a session-level refusal (forbidden) quarantines the batch as is, without bisecting', async () => {
    const w = new SyncWorld({ seed: 6 });
    w.startEngine();
    const [a, b] = [w.startSession(), w.startSession()];
    for (const server of w.servers) {
      server.refuseBatch = (batch) =>
        batch.sessionId === b
          ? { code: 'forbidden', message: 'session belongs to another worker', retryable: false }
          : undefined;
    }
    w.write(a, 800);
    w.write(b, 800);
    w.end(a);
    await w.advance(3_600_000);
    expect(w.store.inspect(a)).toMatchObject({ ackedThrough: 800, closedOnServer: true });
    const [q] = w.engine.getStatus().quarantined;
    expect(q).toMatchObject({
      sessionId: b,
      code: 'forbidden',
      firstSequence: 1,
      reason: 'session belongs to another worker',
      blockedEvents: 800,
    });
    expect(q!.lastSequence).toBeGreaterThan(1);
    // Only the batches already in flight when the first refusal came back were refused.
    expect(refusals(w)).toBeLessThanOrEqual(DEFAULT_WINDOW);
    expect(w.db.storedSequences(b)).toEqual([]);
  });

  it('payload_too_large is solved by splitting: nothing is quarantined', async () => {
    const w = new SyncWorld({ seed: 7 });
    w.startEngine();
    const a = w.startSession();
    for (const server of w.servers) {
      server.refuseBatch = (b) =>
        b.events.length > 120
          ? { code: 'payload_too_large', message: 'batch over 64 KiB', retryable: false }
          : undefined;
    }
    w.write(a, 1_000);
    w.end(a);
    expect(await w.settle()).toBe(true);
    expect(w.problems()).toEqual([]);
    expect(w.engine.getStatus().quarantined).toEqual([]);
  });

  it('an event missing from local storage quarantines the session at the gap', async () => {
    const w = new SyncWorld({ seed: 8 });
    const [a, other] = [w.startSession(), w.startSession()];
    w.write(a, 300, false);
    w.write(other, 40, false);
    w.store.loseEvent(a, 120);
    w.startEngine();
    await w.advance(60_000);
    expect(w.store.inspect(a).ackedThrough).toBe(119);
    expect(w.store.inspect(other).ackedThrough).toBe(40);
    expect(w.engine.getStatus().quarantined).toMatchObject([
      { sessionId: a, code: 'local_gap', firstSequence: 120, lastSequence: 120, blockedEvents: 181 },
    ]);
  });

  it('a session the server lost rows of is caught by session_close and resent', async () => {
    const w = new SyncWorld({ seed: 9 });
    w.startEngine();
    const a = w.startSession();
    w.write(a, 900);
    await w.advance(10_000);
    expect(w.store.inspect(a).ackedThrough).toBe(900);
    w.db.loseRows(a, 100, 250); // a restore from an old backup, say
    w.end(a);
    expect(await w.settle()).toBe(true);
    expect(w.problems()).toEqual([]);
    expect(w.engine.getStatus().lastError?.code).toBe('incomplete');
  });
});
