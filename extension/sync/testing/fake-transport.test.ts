import { describe, expect, it } from 'vitest';
import { SYNC_PROTOCOL_VERSION, type BatchMessage } from '@codesight/schema';
import { FakeClock, sampleRecordedEvents } from '@codesight/schema/testing';
import { FakeSyncDatabase, FakeSyncServer } from './fake-server';
import { FakeTransport, type FaultConfig } from './fake-transport';
import { createSeededRandom } from './random';
import type { SyncServerMessage, TransportState } from '../transport/transport';

const batch = (first: number, count = 5): BatchMessage => ({
  type: 'batch',
  v: SYNC_PROTOCOL_VERSION,
  batchId: `b${first}`,
  sessionId: 's1',
  firstSequence: first,
  lastSequence: first + count - 1,
  events: sampleRecordedEvents('s1', count, first),
});

function setup(faults: Partial<FaultConfig> = {}, seed = 1, instances = 1) {
  const clock = new FakeClock(0);
  const db = new FakeSyncDatabase();
  const servers = Array.from({ length: instances }, (_, i) => new FakeSyncServer(db, `s${i}`));
  const transport = new FakeTransport({ kind: 'ws', clock, random: createSeededRandom(seed), servers, faults });
  const states: TransportState[] = [];
  const inbound: SyncServerMessage[] = [];
  transport.subscribe({ onState: (s) => states.push(s), onMessage: (m) => inbound.push(m) });
  const openNow = async () => {
    transport.connect();
    await clock.advance(1_000);
  };
  return { clock, db, servers, transport, states, inbound, openNow };
}

/** Sends batches 1..count (5 events each) and lets everything arrive. */
async function sendMany(t: ReturnType<typeof setup>, count: number) {
  await t.openNow();
  for (let i = 0; i < count; i++) t.transport.send(batch(1 + i * 5));
  await t.clock.advance(10_000);
}

const ackOrder = (inbound: SyncServerMessage[]) => inbound.flatMap((m) => (m.type === 'batch_ack' ? [m.batchId] : []));

describe('FakeTransport', () => {
  it('without faults: opens, delivers in order, the server stores everything once', async () => {
    const t = setup();
    await sendMany(t, 20);
    expect(t.states.map((s) => s.status)).toEqual(['connecting', 'open']);
    expect(ackOrder(t.inbound)).toEqual(Array.from({ length: 20 }, (_, i) => `b${1 + i * 5}`));
    expect(t.db).toMatchObject({ storedRows: 100, duplicateInserts: 0 });
  });

  it.each<{ name: string; faults: Partial<FaultConfig>; check: (t: ReturnType<typeof setup>) => void }>([
    {
      name: 'connect failure',
      faults: { connectFailRate: 1 },
      check: (t) => {
        expect(t.states.at(-1)).toEqual({ status: 'closed', reason: 'connect failed' });
        expect(t.db.storedRows).toBe(0);
      },
    },
    {
      name: 'outbound drop',
      faults: { dropOutboundRate: 0.5 },
      check: (t) => {
        expect(t.transport.stats.droppedOut).toBeGreaterThan(3);
        expect(t.db.storedRows).toBe(100 - 5 * t.transport.stats.droppedOut);
      },
    },
    {
      name: 'inbound drop',
      faults: { dropInboundRate: 0.5 },
      check: (t) => {
        expect(t.db.storedRows).toBe(100);
        expect(ackOrder(t.inbound).length).toBe(20 - t.transport.stats.droppedIn);
      },
    },
    {
      name: 'outbound duplicate (to the next instance)',
      faults: { duplicateOutboundRate: 0.5 },
      check: (t) => {
        expect(t.db.duplicateInserts).toBe(5 * t.transport.stats.duplicatedOut);
        expect(t.servers[1]!.received.batch).toBe(t.transport.stats.duplicatedOut);
      },
    },
    {
      name: 'inbound duplicate',
      faults: { duplicateInboundRate: 0.5 },
      check: (t) => {
        expect(ackOrder(t.inbound).length).toBe(20 + t.transport.stats.duplicatedIn);
      },
    },
    {
      name: 'reorder',
      faults: { reorderRate: 0.3 },
      check: (t) => {
        const order = ackOrder(t.inbound);
        expect(order).toHaveLength(20);
        expect(order).not.toEqual([...order].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
      },
    },
    {
      name: 'disconnect after N messages',
      faults: { disconnectAfterMessages: 4 },
      check: (t) => {
        expect(t.states.at(-1)).toEqual({ status: 'closed', reason: 'dropped after 4 messages' });
        expect(t.db.storedRows).toBe(20);
        // The 4th batch (1..4 -> b16) was stored but its answer never came: the connection died first.
        expect(ackOrder(t.inbound)).not.toContain('b16');
        expect(t.transport.isOpen).toBe(false);
      },
    },
    {
      name: 'server killed mid-batch',
      faults: { killMidBatchRate: 1 },
      check: (t) => {
        expect(t.states.at(-1)).toEqual({ status: 'closed', reason: 'server killed mid-batch' });
        expect(t.transport.stats.kills).toBe(1);
        expect(t.inbound).toEqual([]);
      },
    },
    {
      name: 'retryable refusal',
      faults: { retryableRejectRate: 0.5 },
      check: (t) => {
        const errors = t.inbound.filter((m) => m.type === 'error');
        expect(errors.length).toBe(t.transport.stats.rejected);
        expect(errors[0]).toMatchObject({ code: 'unavailable', retryable: true });
        expect(t.db.storedRows).toBe(100 - 5 * errors.length);
      },
    },
  ])('$name', async ({ faults, check }) => {
    const t = setup({ ...faults, latencyMs: [5, 50] }, 11, 2);
    await sendMany(t, 20);
    check(t);
  });

  it('replays exactly from a seed', async () => {
    const trace = async (seed: number) => {
      const t = setup({ dropInboundRate: 0.2, duplicateInboundRate: 0.2, reorderRate: 0.3, latencyMs: [1, 80] }, seed);
      await sendMany(t, 30);
      return JSON.stringify([ackOrder(t.inbound), t.transport.stats]);
    };
    expect(await trace(5)).toBe(await trace(5));
    expect(await trace(5)).not.toBe(await trace(6));
  });

  it('nothing from a connection arrives after it closed, and a severed client hears nothing', async () => {
    const t = setup({ latencyMs: [100, 100] });
    await t.openNow();
    t.transport.send(batch(1));
    await t.clock.advance(150); // stored on the server, ack still on the wire
    t.transport.close();
    await t.clock.advance(1_000);
    expect(t.db.storedRows).toBe(5);
    expect(t.inbound).toEqual([]);
    t.transport.connect();
    t.transport.sever();
    await t.clock.advance(1_000);
    expect(t.states.map((s) => s.status)).toEqual(['connecting', 'open', 'connecting']);
  });
});
