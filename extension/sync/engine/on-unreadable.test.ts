import { describe, expect, it } from 'vitest';
import { SAMPLE_META } from '../testing/session-sync-fixture';
import { onUnreadableEvent } from './on-unreadable';

const pending = (sessionId: string) => ({
  sessionId,
  eventCount: 10,
  ackedThrough: 0,
  ended: false,
  closedOnServer: false,
  meta: SAMPLE_META,
});

describe('onUnreadableEvent', () => {
  it.each([
    { name: 'a session the worker deleted reads as empty', pending: [pending('other')], kind: 'deleted' },
    { name: 'a stored session lacking the event has a gap', pending: [pending('other'), pending('s1')], kind: 'gap' },
  ])('$name', ({ pending: list, kind }) => {
    expect(onUnreadableEvent(list, 's1', 7).kind).toBe(kind);
  });

  it('says which event is missing and why it matters', () => {
    expect(onUnreadableEvent([pending('s1')], 's1', 7)).toEqual({
      kind: 'gap',
      sequence: 7,
      reason: 'event 7 is missing from local storage; later events cannot be acknowledged',
    });
  });
});
