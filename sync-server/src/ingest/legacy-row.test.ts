import { describe, expect, it } from 'vitest';
import { mapLegacyInteractionToRow } from './legacy-row';

describe('mapLegacyInteractionToRow', () => {
  it('maps legacy field names to columns, keeps unknown fields in target and the raw object in data', () => {
    const interaction = {
      type: 'click' as const,
      timestamp: 1_641_985_800_000.4,
      url: 'https://amazon.com/p',
      selector: '#buy',
      selectors: ['#buy', 'button.buy'],
      element: 'button',
      text: 'Buy now',
      coordinates: { x: 1, y: 2 },
      modifiers: { shift: true },
      offsetX: 5,
      offsetY: 6,
      isVisible: true,
      context: { pageTitle: 'P' },
      elementAnalysis: { isInteractive: true },
      sessionSecret: 'kept',
    };
    const row = mapLegacyInteractionToRow('cs_l', 7, interaction);
    expect(row).toMatchObject({
      session_id: 'cs_l',
      sequence: 7,
      type: 'click',
      source: 'legacy',
      timestamp: new Date(1_641_985_800_000),
      timestamp_ms: 1_641_985_800_000,
      url: 'https://amazon.com/p',
      selector: '#buy',
      offset_x: 5,
      offset_y: 6,
      is_visible: true,
    });
    expect(JSON.parse(row.selectors as string)).toEqual(['#buy', 'button.buy']);
    expect(JSON.parse(row.context!)).toEqual({ pageTitle: 'P' });
    expect(JSON.parse(row.target!)).toEqual({ element: 'button', text: 'Buy now', sessionSecret: 'kept' });
    expect(JSON.parse(row.data)).toEqual(interaction);
  });

  it('leaves absent fields null or to the column defaults', () => {
    const row = mapLegacyInteractionToRow('cs_l', 1, { type: 'scroll', timestamp: 5 });
    expect(row).toMatchObject({
      url: null,
      selector: null,
      selectors: null,
      coordinates: null,
      target: null,
      is_visible: null,
    });
    expect(row.modifiers).toBeUndefined();
    expect(row.context).toBeUndefined();
  });
});
