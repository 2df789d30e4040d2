import { describe, expect, it } from 'vitest';
import { sampleRecordedEvents } from '../../../schema/testing/events';
import { mapEventToRow } from './event-row';

const events = sampleRecordedEvents('cs_row_test', 15);
const byType = (type: string) => events.find((e) => e.type === type)!;

describe('mapEventToRow', () => {
  it('fills the legacy flat columns of a click and keeps the whole event in data', () => {
    const click = byType('click');
    const row = mapEventToRow('cs_row_test', click);
    expect(row).toMatchObject({
      session_id: 'cs_row_test',
      sequence: click.sequence,
      type: 'click',
      source: 'batch',
      timestamp: new Date(click.timestamp),
      timestamp_ms: click.timestamp,
      url: 'https://shop.example/product?id=3',
      title: 'Blue mug',
      tab_id: null,
      selector: '#add-to-cart',
      offset_x: 30,
      offset_y: 20,
      is_visible: true,
    });
    expect(JSON.parse(row.coordinates!)).toEqual({ x: 450, y: 200 });
    expect(JSON.parse(row.modifiers!)).toEqual({ alt: false, ctrl: false, meta: false, shift: false });
    expect(JSON.parse(row.selectors as string)).toEqual({
      css: '#add-to-cart',
      xpath: '//*[@id="add-to-cart"]',
      aria: 'role=button[name="Add to cart"]',
      text: 'text=Add to cart',
    });
    expect(JSON.parse(row.element_analysis!)).toMatchObject({ isInteractive: true });
    expect(JSON.parse(row.target!)).toMatchObject({ tag: 'button', id: 'add-to-cart' });
    expect(JSON.parse(row.data)).toEqual(JSON.parse(JSON.stringify(click)));
  });

  it('leaves pointer and target columns empty (or to their defaults) for a navigation', () => {
    const row = mapEventToRow('cs_row_test', byType('navigation'));
    expect(row).toMatchObject({
      selector: null,
      selectors: null,
      coordinates: null,
      target: null,
      offset_x: null,
      is_visible: null,
    });
    expect(row.modifiers).toBeUndefined();
    expect(row.context).toBeUndefined();
  });

  it('keeps the masked input value only in data, with the mask', () => {
    const input = byType('input');
    const row = mapEventToRow('cs_row_test', input);
    expect(row.selector).toBe('#email');
    expect(JSON.parse(row.data)).toMatchObject({ mask: { rule: 'email', lengthClass: '13-32' } });
  });

  it('makes unstorable characters storable in columns and data', () => {
    const change = { ...byType('change'), url: 'https://shop.example/\u0000', value: 'a\u0000b' };
    const row = mapEventToRow('cs_row_test', change);
    expect(row.url).toBe('https://shop.example/\ufffd');
    expect(JSON.parse(row.data)).toMatchObject({ value: 'a\ufffdb' });
  });
});
