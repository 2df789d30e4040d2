import { describe, expect, it } from 'vitest';
import type { SessionClosed } from '@codesight/schema';
import { sessionSync } from '../testing/session-sync-fixture';
import { MAX_INCOMPLETE_CLOSES } from './engine-types';
import { onSessionClosed, type CloseVerdict } from './on-session-closed';
import type { SessionSync } from './session-sync';

const closed = (status: 'complete' | 'incomplete', ackedThrough: number, missing = 0): SessionClosed => ({
  type: 'session_closed',
  sessionId: 's1',
  status,
  ackedThrough,
  missing,
});
const ended = (overrides: Partial<SessionSync> = {}) =>
  sessionSync({ eventCount: 20, acked: 20, ended: true, closeInFlight: true, ...overrides });

describe('onSessionClosed', () => {
  it.each<{ name: string; s: SessionSync | undefined; answer: SessionClosed; verdict: CloseVerdict }>([
    { name: 'complete', s: ended(), answer: closed('complete', 20), verdict: { kind: 'complete' } },
    {
      name: 'complete for a session the engine let go of',
      s: undefined,
      answer: closed('complete', 20),
      verdict: { kind: 'complete' },
    },
    {
      name: 'incomplete: resend after what the server holds',
      s: ended(),
      answer: closed('incomplete', 12, 8),
      verdict: { kind: 'resend', ackedThrough: 12, message: 'server holds 12 of 20 events (8 missing); resending' },
    },
    {
      name: 'incomplete above a watermark that was lowered meanwhile: never raised by it',
      s: ended({ acked: 5 }),
      answer: closed('incomplete', 12, 8),
      verdict: { kind: 'resend', ackedThrough: 5, message: 'server holds 12 of 20 events (8 missing); resending' },
    },
    {
      name: 'incomplete with no close in flight: a repeat, ignored',
      s: ended({ closeInFlight: false }),
      answer: closed('incomplete', 0, 20),
      verdict: { kind: 'stale' },
    },
    {
      name: 'incomplete for a session the engine let go of',
      s: undefined,
      answer: closed('incomplete', 0, 20),
      verdict: { kind: 'stale' },
    },
    {
      name: `the last tolerated incomplete answer (${MAX_INCOMPLETE_CLOSES})`,
      s: ended({ incompleteCloses: MAX_INCOMPLETE_CLOSES - 1 }),
      answer: closed('incomplete', 0, 20),
      verdict: { kind: 'resend', ackedThrough: 0, message: 'server holds 0 of 20 events (20 missing); resending' },
    },
    {
      name: 'one incomplete answer too many: quarantine what the server lacks',
      s: ended({ incompleteCloses: MAX_INCOMPLETE_CLOSES }),
      answer: closed('incomplete', 7, 13),
      verdict: {
        kind: 'quarantine',
        first: 8,
        last: 20,
        reason: `the server still misses 13 events after ${MAX_INCOMPLETE_CLOSES} resends`,
      },
    },
  ])('$name', ({ s, answer, verdict }) => {
    const before = structuredClone(s);
    expect(onSessionClosed(s, answer)).toEqual(verdict);
    expect(s).toEqual(before);
  });

  it('takes the tolerance as a parameter', () => {
    expect(onSessionClosed(ended(), closed('incomplete', 0, 20), 0)).toMatchObject({ kind: 'quarantine' });
  });
});
