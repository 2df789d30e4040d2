import { EVENT_TYPES, RecordedEventSchema, validate } from '@codesight/schema';
import { describe, expect, it } from 'vitest';
import { legacyToRecordedEvent } from './legacy-event';

describe('legacyToRecordedEvent', () => {
  it.each(EVENT_TYPES)('rebuilds a schema-valid %s from the bare minimum an old client sent', (type) => {
    const event = legacyToRecordedEvent('cs_old', 4, type, { type, timestamp: 1_752_327_000_000.6 });
    const result = validate(RecordedEventSchema, event);
    expect(result.ok ? 'valid' : result.error.message).toBe('valid');
    expect(event).toMatchObject({ type, sessionId: 'cs_old', sequence: 4, timestamp: 1_752_327_000_001, url: '' });
  });

  it('keeps the legacy click fields: selector, element, text, coordinates, url, modifiers', () => {
    const event = legacyToRecordedEvent('cs_old', 1, 'click', {
      type: 'click',
      timestamp: 1_641_985_800_000,
      url: 'https://amazon.com/product/1',
      selector: '#add-to-cart-button',
      element: 'BUTTON',
      text: 'Add to Cart',
      coordinates: { x: 450, y: 200 },
      modifiers: { ctrlKey: true },
      offsetX: 3,
      offsetY: 4,
      isVisible: true,
    });
    expect(validate(RecordedEventSchema, event).ok).toBe(true);
    expect(event).toMatchObject({
      url: 'https://amazon.com/product/1',
      coordinates: { x: 450, y: 200 },
      pageX: 450,
      offsetX: 3,
      isVisible: true,
      modifiers: { alt: false, ctrl: true, meta: false, shift: false },
      target: { tag: 'button', text: 'Add to Cart', selectors: { css: '#add-to-cart-button', xpath: '' } },
    });
  });

  it('reads element objects and selector lists, cutting text to the schema limits', () => {
    const event = legacyToRecordedEvent('cs_old', 2, 'input', {
      type: 'input',
      timestamp: 1,
      selectors: ['#q', 'input[name=q]'],
      element: {
        tagName: 'INPUT',
        id: 'q',
        className: 'search  big',
        boundingBox: { x: 1, y: 2, width: 3, height: 4 },
      },
      text: 'x'.repeat(300),
    });
    expect(validate(RecordedEventSchema, event).ok).toBe(true);
    expect(event).toMatchObject({
      value: 'x'.repeat(300),
      target: {
        tag: 'input',
        id: 'q',
        classes: ['search', 'big'],
        boundingBox: { x: 1, y: 2, width: 3, height: 4 },
        selectors: { css: '#q' },
      },
    });
    expect((event as { target: { text: string } }).target.text).toHaveLength(200);
  });

  it('ignores fields of the wrong type instead of failing', () => {
    const event = legacyToRecordedEvent('cs_old', 3, 'scroll', {
      type: 'scroll',
      timestamp: 'yesterday',
      url: 42,
      scrollY: '700',
      coordinates: { x: 0, y: 650 },
    });
    expect(validate(RecordedEventSchema, event).ok).toBe(true);
    expect(event).toMatchObject({ timestamp: 0, url: '', scrollY: 650 });
  });
});
