import { describe, expect, it } from 'vitest';
import { SYNC_PROTOCOL_VERSION } from '@codesight/schema';
import { sampleRecordedEvents } from '@codesight/schema/testing';
import { SAMPLE_META, sessionSync } from '../testing/session-sync-fixture';
import {
  averageEventBytes,
  batchMessage,
  closeMessage,
  decideNextSend,
  sessionsToClose,
  type NextSend,
  type SendState,
} from './decide-send';
import type { InFlightBatch } from './in-flight';

const a = () => sessionSync({ id: 'a', eventCount: 100 });
const b = () => sessionSync({ id: 'b', eventCount: 100 });
const flight = (sessionId: string, first: number, last: number): InFlightBatch => ({ sessionId, first, last });

/** A verdict as `session-id first-last/limit @cursor`, or the reason to wait. */
const show = (next: NextSend) =>
  next.kind === 'wait'
    ? next.reason
    : `${next.session.id} ${next.range.first}-${next.range.last}/${next.range.limit} @${next.cursor}`;

describe('decideNextSend', () => {
  it.each<{ name: string; state: Partial<SendState>; expected: string }>([
    { name: 'nothing pending', state: { sessions: [] }, expected: 'nothing_to_send' },
    { name: 'the first session from the watermark', state: {}, expected: 'a 1-100/10 @1' },
    { name: 'round-robin: the session after the cursor', state: { cursor: 1 }, expected: 'b 1-100/10 @2' },
    { name: 'the cursor wraps around', state: { cursor: 2 }, expected: 'a 1-100/10 @1' },
    {
      name: 'skips what is in flight',
      state: { inFlight: [flight('a', 1, 10)] },
      expected: 'a 11-100/10 @1',
    },
    {
      name: 'a session with nothing left is passed over',
      state: { sessions: [sessionSync({ id: 'a', eventCount: 5, acked: 5 }), b()] },
      expected: 'b 1-100/10 @2',
    },
    {
      name: 'the window is full',
      state: { window: 2, inFlight: [flight('a', 1, 10), flight('b', 1, 10)] },
      expected: 'window_full',
    },
    {
      name: 'a narrowed session sends smaller batches',
      state: { sessions: [sessionSync({ id: 'a', eventCount: 100, narrow: { until: 40, maxEvents: 3 } })] },
      expected: 'a 1-100/3 @1',
    },
    {
      name: 'a quarantined session sends nothing',
      state: {
        sessions: [
          sessionSync({
            id: 'a',
            eventCount: 100,
            quarantine: { sessionId: 'a', firstSequence: 1, lastSequence: 1, code: 'forbidden', reason: 'x', at: 0 },
          }),
        ],
      },
      expected: 'nothing_to_send',
    },
  ])('$name → $expected', ({ state, expected }) => {
    const full: SendState = { sessions: [a(), b()], inFlight: [], cursor: 0, window: 4, maxEvents: 10, ...state };
    expect(show(decideNextSend(full))).toBe(expected);
  });
});

describe('session_close', () => {
  it('is due only for ended sessions the server holds entirely, with no close in flight', () => {
    const sessions = [
      sessionSync({ id: 'done', eventCount: 20, acked: 20, ended: true, endTime: 99 }),
      sessionSync({ id: 'recording', eventCount: 20, acked: 20 }),
      sessionSync({ id: 'behind', eventCount: 20, acked: 19, ended: true }),
      sessionSync({ id: 'closing', eventCount: 20, acked: 20, ended: true, closeInFlight: true }),
    ];
    expect(sessionsToClose(sessions).map((s) => s.id)).toEqual(['done']);
    expect(closeMessage(sessions[0]!)).toEqual({
      type: 'session_close',
      sessionId: 'done',
      endTime: 99,
      finalCount: 20,
    });
  });

  it('carries what the session masked outside values, for the privacy report, when there is any', () => {
    const maskCounts = { 'text-email': { url: 2, title: 1 } };
    const s = sessionSync({ id: 'done', eventCount: 3, acked: 3, ended: true, endTime: 5, maskCounts });
    expect(closeMessage(s)).toEqual({
      type: 'session_close',
      sessionId: 'done',
      endTime: 5,
      finalCount: 3,
      maskCounts,
    });
    expect(closeMessage({ ...s, maskCounts: {} })).not.toHaveProperty('maskCounts');
  });
});

describe('batchMessage', () => {
  it('carries the run of events with its bounds and the session metadata', () => {
    const events = sampleRecordedEvents('a', 3, 11);
    expect(batchMessage('x-1', a(), 11, events)).toEqual({
      type: 'batch',
      v: SYNC_PROTOCOL_VERSION,
      batchId: 'x-1',
      sessionId: 'a',
      session: SAMPLE_META,
      firstSequence: 11,
      lastSequence: 13,
      events,
    });
  });
});

describe('averageEventBytes', () => {
  it.each([
    { average: 600, events: 10, bytes: 6_000, expected: 600 },
    { average: 600, events: 10, bytes: 11_000, expected: 700 },
    { average: 1_000, events: 1, bytes: 0, expected: 800 },
  ])('$average after $events events of $bytes B → $expected', ({ average, events, bytes, expected }) => {
    expect(averageEventBytes(average, { events, bytes })).toBeCloseTo(expected);
  });
});
