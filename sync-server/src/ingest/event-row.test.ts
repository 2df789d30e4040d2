import { describe, expect, it } from 'vitest';
import { sampleRecordedEvents } from '../../../schema/testing/events';
import { mapEventToRow } from './event-row';

const events = sampleRecordedEvents('cs_row_test', 15);
const byType = (type: string) => events.find((e) => e.type === type)!;

describe('mapEventToRow', () => {
  it('fills the legacy scalar columns of a click and keeps the whole event, only once, in data', () => {
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
    expect(JSON.parse(row.data)).toEqual(JSON.parse(JSON.stringify(click)));
    // The event's parts are not copied into columns of their own (the view interactions_flat derives them).
    expect(Object.keys(row).sort()).toEqual(
      [
        'data',
        'frame_id',
        'is_visible',
        'offset_x',
        'offset_y',
        'selector',
        'sequence',
        'session_id',
        'source',
        'tab_id',
        'timestamp',
        'timestamp_ms',
        'title',
        'type',
        'url',
      ].sort(),
    );
  });

  it('leaves pointer and target columns empty for a navigation', () => {
    const row = mapEventToRow('cs_row_test', byType('navigation'));
    expect(row).toMatchObject({ selector: null, offset_x: null, offset_y: null, is_visible: null });
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
