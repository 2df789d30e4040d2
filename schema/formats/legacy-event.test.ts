import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../entities/event';
import { sampleRecordedEvents } from '../testing/events';
import { maskToken, toLegacyEvent } from './legacy-event';

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

describe('toLegacyEvent', () => {
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
