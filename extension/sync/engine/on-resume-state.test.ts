import { describe, expect, it } from 'vitest';
import { sessionSync } from '../testing/session-sync-fixture';
import { onResumeEntry, RESUME_CHUNK, resumeRequests, type ResumeEntry, type ResumeVerdict } from './on-resume-state';

const quarantine = {
  sessionId: 'q',
  firstSequence: 1,
  lastSequence: 1,
  code: 'forbidden' as const,
  reason: 'x',
  at: 0,
};

describe('resumeRequests', () => {
  it('asks about every session with work left, none when there is none', () => {
    expect(resumeRequests([])).toEqual([]);
    const sessions = [
      sessionSync({ id: 'a' }),
      sessionSync({ id: 'q', quarantine }),
      sessionSync({ id: 'c', closedOnServer: true }),
      sessionSync({ id: 'b' }),
    ];
    expect(resumeRequests(sessions)).toEqual([{ type: 'resume', sessionIds: ['a', 'b'] }]);
  });

  it(`splits more than ${RESUME_CHUNK} sessions over several messages`, () => {
    const sessions = Array.from({ length: 2 * RESUME_CHUNK + 1 }, (_, i) => sessionSync({ id: `s${i}` }));
    expect(resumeRequests(sessions).map((r) => r.sessionIds.length)).toEqual([RESUME_CHUNK, RESUME_CHUNK, 1]);
  });
});

describe('onResumeEntry', () => {
  it.each<{
    name: string;
    acked: number;
    count: number;
    ended?: boolean;
    entry: Omit<ResumeEntry, 'sessionId'>;
    verdict: ResumeVerdict;
  }>([
    {
      name: 'server never saw the session: resend from 1',
      acked: 100,
      count: 300,
      entry: { known: false, ackedThrough: 0 },
      verdict: { kind: 'resend_all', complete: false },
    },
    {
      name: 'server ahead (acks lost with the worker): raise',
      acked: 100,
      count: 300,
      entry: { known: true, ackedThrough: 250 },
      verdict: { kind: 'raise', ackedThrough: 250, complete: false },
    },
    {
      name: 'server behind the local watermark: keep ours',
      acked: 100,
      count: 300,
      entry: { known: true, ackedThrough: 50 },
      verdict: { kind: 'keep', complete: false },
    },
    {
      name: 'server complete and we hold nothing more: settled',
      acked: 30,
      count: 30,
      ended: true,
      entry: { known: true, ackedThrough: 30, status: 'complete' },
      verdict: { kind: 'keep', complete: true },
    },
    {
      name: 'server complete and its watermark brings us to the end: raise and settle',
      acked: 10,
      count: 30,
      ended: true,
      entry: { known: true, ackedThrough: 30, status: 'complete' },
      verdict: { kind: 'raise', ackedThrough: 30, complete: true },
    },
    {
      name: 'server complete but we recorded more since: not settled',
      acked: 30,
      count: 40,
      ended: true,
      entry: { known: true, ackedThrough: 30, status: 'complete' },
      verdict: { kind: 'keep', complete: false },
    },
    {
      name: 'server complete while we still record: not settled',
      acked: 30,
      count: 30,
      entry: { known: true, ackedThrough: 30, status: 'complete' },
      verdict: { kind: 'keep', complete: false },
    },
    {
      name: 'server active: never settled',
      acked: 30,
      count: 30,
      ended: true,
      entry: { known: true, ackedThrough: 30, status: 'active' },
      verdict: { kind: 'keep', complete: false },
    },
  ])('$name', ({ acked, count, ended = false, entry, verdict }) => {
    const s = sessionSync({ acked, eventCount: count, ended });
    const before = structuredClone(s);
    expect(onResumeEntry(s, { sessionId: 's1', ...entry })).toEqual(verdict);
    expect(s).toEqual(before);
  });
});
