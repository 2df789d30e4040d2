import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../entities/event';
import { sampleRecordedEvents, sampleSession } from '../testing/events';
import { validate } from '../validate';
import { buildLegacySession } from './build-legacy-session';
import { LegacySessionExportSchema } from './legacy-session';

const ID = 'cs_md0ap0gn_thwyx';

/** The 15 fixture events, one of each type (navigation twice), in their fixture order. */
function fixture(): RecordedEvent[] {
  return sampleRecordedEvents(ID, 15);
}

describe('buildLegacySession', () => {
  it('produces a document that validates against LegacySessionExportSchema', () => {
    const out = buildLegacySession(sampleSession(ID, 15), fixture());
    const r = validate(LegacySessionExportSchema, out);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
  });

  it('fills the header from the session: ISO times, duration from endTime, totalEvents', () => {
    const session = sampleSession(ID, 15);
    const out = buildLegacySession(session, fixture());
    expect(Object.keys(out)).toEqual([
      'sessionId',
      'startTime',
      'endTime',
      'duration',
      'totalEvents',
      'events',
      'summary',
    ]);
    expect(out.sessionId).toBe(ID);
    expect(out.startTime).toBe(new Date(session.startTime).toISOString());
    expect(out.endTime).toBe(new Date(session.endTime!).toISOString());
    expect(out.duration).toBe(60_000);
    expect(out.totalEvents).toBe(15);
    expect(out.events).toHaveLength(15);
  });

  it('while recording: endTime is null and duration runs to the latest event', () => {
    const { endTime: _, ...rest } = sampleSession(ID, 15);
    const events = fixture();
    const out = buildLegacySession({ ...rest, status: 'recording' }, events);
    expect(out.endTime).toBeNull();
    const latest = Math.max(...events.map((e) => e.timestamp));
    expect(out.duration).toBe(latest - rest.startTime);
    expect(validate(LegacySessionExportSchema, out).ok).toBe(true);
  });

  it('an empty recording session has duration 0 and an empty summary', () => {
    const { endTime: _, ...rest } = sampleSession(ID, 0);
    const out = buildLegacySession({ ...rest, status: 'recording', pagesVisited: [] }, []);
    expect(out).toMatchObject({ endTime: null, duration: 0, totalEvents: 0, events: [] });
    expect(out.summary).toEqual({ clicks: 0, inputs: 0, scrolls: 0, navigations: 0, pagesVisited: [] });
  });

  it('summarizes clicks (click+dblclick+contextmenu), inputs (input+change+select, not submit), scrolls, navigations', () => {
    const out = buildLegacySession(sampleSession(ID, 15), fixture());
    expect(out.summary).toMatchObject({ clicks: 3, inputs: 3, scrolls: 1, navigations: 2 });
  });

  it('lists hostnames in first-visit order: the session row first, then hosts only the events show', () => {
    const events = fixture();
    events[3] = { ...events[3]!, url: 'https://www.compare.example/p/1' };
    events[5] = { ...events[5]!, url: 'about:blank' };
    events[6] = { ...events[6]!, url: 'https://reviews.example/x' };
    events[7] = { ...events[7]!, url: 'https://www.compare.example/p/2' };
    const session = { ...sampleSession(ID, 15), pagesVisited: ['first.example', 'shop.example'] };
    const out = buildLegacySession(session, events);
    expect(out.summary.pagesVisited).toEqual([
      'first.example',
      'shop.example',
      'www.compare.example',
      'reviews.example',
    ]);
  });
});
