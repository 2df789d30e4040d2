import { describe, expect, it } from 'vitest';
import { mapLegacyInteractionToRow } from './legacy-row';

describe('mapLegacyInteractionToRow', () => {
  it('maps legacy scalar fields to columns and keeps the raw object in data', () => {
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
    expect(JSON.parse(row.data)).toEqual(interaction);
  });

  it('leaves absent fields null', () => {
    const row = mapLegacyInteractionToRow('cs_l', 1, { type: 'scroll', timestamp: 5 });
    expect(row).toMatchObject({ url: null, selector: null, offset_x: null, is_visible: null, tab_id: null });
  });
});
