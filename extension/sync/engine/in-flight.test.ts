import { describe, expect, it } from 'vitest';
import { sessionSync } from '../testing/session-sync-fixture';
import { outstandingRequests, sessionsToForget } from './in-flight';

describe('outstandingRequests', () => {
  it.each([
    { name: 'no connection', link: undefined, closes: 0, batches: 3, expected: 0 },
    {
      name: 'connecting counts as one',
      link: { phase: 'connecting', pendingResumes: 0 },
      closes: 0,
      batches: 0,
      expected: 1,
    },
    {
      name: 'resumes pending count as one',
      link: { phase: 'resuming', pendingResumes: 3 },
      closes: 0,
      batches: 0,
      expected: 1,
    },
    {
      name: 'ready: batches and closes',
      link: { phase: 'ready', pendingResumes: 0 },
      closes: 2,
      batches: 3,
      expected: 5,
    },
    { name: 'ready and idle', link: { phase: 'ready', pendingResumes: 0 }, closes: 0, batches: 0, expected: 0 },
  ] as const)('$name → $expected', ({ link, closes, batches, expected }) => {
    const sessions = [
      ...Array.from({ length: closes }, (_, i) => sessionSync({ id: `c${i}`, closeInFlight: true })),
      sessionSync({ id: 'idle' }),
    ];
    expect(outstandingRequests(link, sessions, batches)).toBe(expected);
  });
});

describe('sessionsToForget', () => {
  it('lets go of sessions no longer pending, unless an answer is still due for them', () => {
    const sessions = [
      sessionSync({ id: 'pending' }),
      sessionSync({ id: 'done' }),
      sessionSync({ id: 'batch-out' }),
      sessionSync({ id: 'close-out', closeInFlight: true }),
    ];
    const inFlight = [{ sessionId: 'batch-out', first: 1, last: 10 }];
    expect(sessionsToForget(sessions, new Set(['pending']), inFlight)).toEqual(['done']);
  });
});
