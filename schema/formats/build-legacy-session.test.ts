import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../entities/event';
import { sampleRecordedEvents, sampleSession } from '../testing/events';
import { validate } from '../validate';
import {
  buildLegacySession,
  legacySessionChunks,
  maskToken,
  summarizeEvents,
  toLegacyEvent,
} from './build-legacy-session';
import { LegacySessionExportSchema } from './legacy-session';

const ID = 'cs_md0ap0gn_thwyx';

/** The 15 fixture events, one of each type (navigation twice), in their fixture order. */
function fixture(): RecordedEvent[] {
  return sampleRecordedEvents(ID, 15);
}

function ofType<T extends RecordedEvent['type']>(events: RecordedEvent[], type: T) {
  const found = events.find((e) => e.type === type);
  if (!found) throw new Error(`fixture has no ${type}`);
  return found as Extract<RecordedEvent, { type: T }>;
}

async function collect(pieces: AsyncIterable<string>): Promise<{ text: string; count: number }> {
  let text = '';
  let count = 0;
  for await (const piece of pieces) {
    text += piece;
    count++;
  }
  return { text, count };
}

async function* lazily(events: Iterable<RecordedEvent>): AsyncGenerator<RecordedEvent> {
  for (const e of events) {
    await Promise.resolve();
    yield e;
  }
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

  it('maps a click: selector, lower-case tag, target text, client coordinates, pointer extras', () => {
    const click = ofType(fixture(), 'click');
    const upper = { ...click, target: { ...click.target, tag: 'BUTTON' }, tabId: 4, frameId: 0 };
    expect(toLegacyEvent(upper)).toEqual({
      type: 'click',
      data: {
        selector: '#add-to-cart',
        element: 'button',
        text: 'Add to cart',
        coordinates: { x: 450, y: 200 },
        url: click.url,
        timestamp: click.timestamp,
        sequence: click.sequence,
        title: 'Blue mug',
        tabId: 4,
        frameId: 0,
        selectors: click.target.selectors,
        button: 0,
        modifiers: click.modifiers,
        offsetX: 30,
        offsetY: 20,
        pageX: 450,
        pageY: 900,
        isVisible: true,
      },
    });
  });

  it('maps a masked input to the mask token and keeps the mask; a kept value is used as is', () => {
    const events = fixture();
    const input = toLegacyEvent(ofType(events, 'input'));
    expect(input.data).toMatchObject({
      selector: '#email',
      element: 'input',
      text: '[masked:email:13-32]',
      coordinates: null,
    });
    expect(input.data.mask).toEqual({ rule: 'email', lengthClass: '13-32' });
    expect(maskToken({ rule: 'password', lengthClass: 'empty' })).toBe('[masked:password:empty]');

    const change = toLegacyEvent(ofType(events, 'change'));
    expect(change.data.text).toBe('gift wrap please');
    expect('mask' in change.data).toBe(false);

    const select = toLegacyEvent(ofType(events, 'select'));
    expect(select.data).toMatchObject({ text: '2', selectedText: '2', element: 'select' });

    const bare = { ...ofType(events, 'input'), mask: undefined, value: undefined };
    expect(toLegacyEvent(bare).data.text).toBeNull();
  });

  it('keeps scroll offsets out of coordinates; events without a target have a null selector', () => {
    const events = fixture();
    const scroll = toLegacyEvent(ofType(events, 'scroll'));
    expect(scroll.data).toMatchObject({
      selector: null,
      element: null,
      text: null,
      coordinates: null,
      scrollX: 0,
      scrollY: 700,
    });

    const nav = toLegacyEvent(events.filter((e) => e.type === 'navigation')[1]!);
    expect(nav.data).toMatchObject({
      selector: null,
      text: null,
      coordinates: null,
      navigationType: 'push_state',
      url: 'https://shop.example/cart',
    });
    expect(nav.data.fromUrl).toBe('https://shop.example/product?id=3');

    const key = toLegacyEvent(ofType(events, 'keydown'));
    expect(key.data).toMatchObject({ selector: null, text: null, key: 'Enter', code: 'Enter' });

    const submit = toLegacyEvent(ofType(events, 'submit'));
    expect(submit.data).toMatchObject({ selector: '#add-to-cart', element: 'form', text: null, coordinates: null });

    const hover = toLegacyEvent(ofType(events, 'hover'));
    expect(hover.data).toMatchObject({ text: 'Add to cart', coordinates: { x: 450, y: 200 }, dwellMs: 1200 });

    expect(toLegacyEvent(ofType(events, 'tab')).data).toMatchObject({ action: 'activated', tabId: 7, selector: null });
    expect(toLegacyEvent(ofType(events, 'visibility')).data.state).toBe('hidden');
    expect(toLegacyEvent(ofType(events, 'resize')).data.viewport).toMatchObject({ width: 1024 });
  });

  it('leaves absent optional fields out instead of writing undefined', () => {
    const nav = toLegacyEvent(ofType(fixture(), 'navigation'));
    expect(Object.values(nav.data)).not.toContain(undefined);
    expect('fromUrl' in nav.data).toBe(false);
    expect('tabId' in nav.data).toBe(false);
  });
});

describe('legacySessionChunks', () => {
  it('streams exactly the text of JSON.stringify(buildLegacySession(...))', async () => {
    const session = sampleSession(ID, 15);
    const events = fixture();
    const summary = await summarizeEvents(events);
    const { text } = await collect(legacySessionChunks(session, lazily(events), summary));
    expect(text).toBe(JSON.stringify(buildLegacySession(session, events)));
    expect(JSON.parse(text)).toEqual(buildLegacySession(session, events));
  });

  it('streams a long session in many pieces that parse to the same document', async () => {
    const count = 5_000;
    const session = sampleSession(ID, count);
    const events = sampleRecordedEvents(ID, count);
    const summary = await summarizeEvents(lazily(events));
    const { text, count: pieces } = await collect(legacySessionChunks(session, lazily(events), summary));
    expect(pieces).toBeGreaterThan(10);
    const parsed: unknown = JSON.parse(text);
    expect(parsed).toEqual(buildLegacySession(session, events));
    const r = validate(LegacySessionExportSchema, parsed);
    expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
  });

  it('streams an empty session', async () => {
    const session = sampleSession(ID, 0);
    const { text } = await collect(legacySessionChunks(session, [], await summarizeEvents([])));
    expect(text).toBe(JSON.stringify(buildLegacySession(session, [])));
  });

  it('refuses a summary of other events rather than emit a contradictory file', async () => {
    const events = fixture();
    const summary = await summarizeEvents(events.slice(0, 10));
    await expect(collect(legacySessionChunks(sampleSession(ID, 15), events, summary))).rejects.toThrow(
      /do not match the summary/,
    );
  });
});
