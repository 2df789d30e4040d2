import { describe, expect, it } from 'vitest';
import { sampleSession } from '@codesight/schema/testing';
import {
  createSessionSync,
  nextSendRange,
  raiseAcked,
  readyToClose,
  recordHeld,
  resetAcked,
  settlesLocally,
  type SeqRange,
} from './session-sync';

const meta = (() => {
  const s = sampleSession('x', 0);
  return { startTime: s.startTime, userAgent: s.userAgent, maskingPolicy: s.maskingPolicy };
})();
const session = (eventCount: number, ackedThrough: number, ended = false) =>
  createSessionSync({ sessionId: 's1', eventCount, ackedThrough, ended, closedOnServer: false, meta });

describe('nextSendRange', () => {
  it.each<{
    name: string;
    acked: number;
    count: number;
    held?: SeqRange[];
    inFlight?: SeqRange[];
    expected: string | undefined;
  }>([
    { name: 'from the watermark to the end', acked: 10, count: 100, expected: '11-100' },
    { name: 'nothing new', acked: 100, count: 100, expected: undefined },
    {
      name: 'after what is in flight',
      acked: 0,
      count: 100,
      inFlight: [
        { first: 1, last: 20 },
        { first: 21, last: 40 },
      ],
      expected: '41-100',
    },
    {
      name: 'a lost batch below one in flight',
      acked: 0,
      count: 100,
      inFlight: [{ first: 21, last: 40 }],
      expected: '1-20',
    },
    {
      name: 'skips ranges the server holds',
      acked: 0,
      count: 100,
      held: [{ first: 1, last: 30 }],
      inFlight: [{ first: 31, last: 35 }],
      expected: '36-100',
    },
    { name: 'stops before a held range', acked: 5, count: 100, held: [{ first: 50, last: 60 }], expected: '6-49' },
    {
      name: 'overlapping and unsorted cover',
      acked: 0,
      count: 100,
      held: [{ first: 30, last: 50 }],
      inFlight: [{ first: 1, last: 35 }],
      expected: '51-100',
    },
    {
      name: 'everything covered',
      acked: 0,
      count: 40,
      held: [{ first: 11, last: 40 }],
      inFlight: [{ first: 1, last: 10 }],
      expected: undefined,
    },
  ])('$name', ({ acked, count, held = [], inFlight = [], expected }) => {
    const s = session(count, acked);
    s.held = held;
    const range = nextSendRange(s, inFlight, 500);
    expect(range && `${range.first}-${range.last}`).toBe(expected);
  });

  it('limits batches while bisecting and sends nothing past the suspect range', () => {
    const s = session(1_000, 0);
    s.narrow = { until: 500, maxEvents: 125 };
    expect(nextSendRange(s, [], 500)).toEqual({ first: 1, last: 1_000, limit: 125 });
    expect(nextSendRange(s, [{ first: 1, last: 500 }], 500)).toBeUndefined();
    raiseAcked(s, 500);
    expect(s.narrow).toBeUndefined();
    expect(nextSendRange(s, [], 500)).toEqual({ first: 501, last: 1_000, limit: 500 });
  });

  it('sends nothing for a quarantined or closed session', () => {
    const s = session(10, 0);
    s.quarantine = { sessionId: 's1', firstSequence: 1, lastSequence: 1, code: 'forbidden', reason: 'no', at: 0 };
    expect(nextSendRange(s, [], 500)).toBeUndefined();
    const closed = session(10, 0);
    closed.closedOnServer = true;
    expect(nextSendRange(closed, [], 500)).toBeUndefined();
  });
});

describe('watermark', () => {
  it('only rises, trimming held ranges it passes', () => {
    const s = session(100, 10);
    recordHeld(s, { first: 21, last: 30 });
    recordHeld(s, { first: 41, last: 50 });
    recordHeld(s, { first: 5, last: 9 }); // already below the watermark: ignored
    expect(s.held).toHaveLength(2);
    expect(raiseAcked(s, 30)).toBe(true);
    expect(s.held).toEqual([{ first: 41, last: 50 }]);
    expect(raiseAcked(s, 20)).toBe(false);
    expect(s.acked).toBe(30);
  });

  it('resetAcked is the one explicit way down, and forgets what was held', () => {
    const s = session(100, 80);
    recordHeld(s, { first: 91, last: 95 });
    resetAcked(s, 12);
    expect(s).toMatchObject({ acked: 12, held: [] });
  });
});

describe('readyToClose', () => {
  it.each([
    { name: 'ended and all acked', count: 10, acked: 10, ended: true, expected: true },
    { name: 'still recording', count: 10, acked: 10, ended: false, expected: false },
    { name: 'not all acked', count: 10, acked: 9, ended: true, expected: false },
    { name: 'empty session (nothing to close on the server)', count: 0, acked: 0, ended: true, expected: false },
  ])('$name → $expected', ({ count, acked, ended, expected }) => {
    expect(readyToClose(session(count, acked, ended))).toBe(expected);
  });

  it('not twice, and not once quarantined', () => {
    const s = session(10, 10, true);
    s.closeInFlight = true;
    expect(readyToClose(s)).toBe(false);
    s.closeInFlight = false;
    s.quarantine = { sessionId: 's1', firstSequence: 3, lastSequence: 3, code: 'local_gap', reason: 'x', at: 0 };
    expect(readyToClose(s)).toBe(false);
  });
});

describe('settlesLocally', () => {
  it.each([
    { name: 'ended without events', count: 0, ended: true, closed: false, expected: true },
    { name: 'still recording', count: 0, ended: false, closed: false, expected: false },
    { name: 'ended with events (closed on the server instead)', count: 3, ended: true, closed: false, expected: false },
    { name: 'already settled', count: 0, ended: true, closed: true, expected: false },
  ])('$name → $expected', ({ count, ended, closed, expected }) => {
    const s = session(count, 0, ended);
    s.closedOnServer = closed;
    expect(settlesLocally(s)).toBe(expected);
  });
});
