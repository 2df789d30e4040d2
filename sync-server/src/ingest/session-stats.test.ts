import { describe, expect, it } from 'vitest';
import { MAX_SESSION_URLS } from './limits';
import { addEventsToStats, statusAfterStore } from './session-stats';

describe('addEventsToStats', () => {
  it('counts per type and keeps distinct URLs and hosts in first-seen order', () => {
    const before = { counts: { click: 2 }, urls: ['https://a.example/1'], hosts: ['a.example'] };
    const after = addEventsToStats(before, [
      { type: 'click', url: 'https://b.example/x' },
      { type: 'scroll', url: 'https://a.example/1' },
      { type: 'click', url: 'https://a.example/2' },
      { type: 'tab', url: 'not a url' },
      { type: 'keydown' },
    ]);
    expect(after).toEqual({
      counts: { click: 4, scroll: 1, tab: 1, keydown: 1 },
      urls: ['https://a.example/1', 'https://b.example/x', 'https://a.example/2', 'not a url'],
      hosts: ['a.example', 'b.example'],
    });
    expect(before).toEqual({ counts: { click: 2 }, urls: ['https://a.example/1'], hosts: ['a.example'] });
  });

  it('caps the URL list', () => {
    const events = Array.from({ length: MAX_SESSION_URLS + 50 }, (_, i) => ({
      type: 'navigation',
      url: `https://s.example/${i}`,
    }));
    const after = addEventsToStats({ counts: {}, urls: [], hosts: [] }, events);
    expect(after.urls).toHaveLength(MAX_SESSION_URLS);
    expect(after.urls.at(-1)).toBe(`https://s.example/${MAX_SESSION_URLS - 1}`);
    expect(after.counts.navigation).toBe(MAX_SESSION_URLS + 50);
  });
});

describe('statusAfterStore', () => {
  it('keeps active sessions active and revives abandoned ones', () => {
    expect(statusAfterStore({ status: 'active', final_count: null }, 3, 3)).toBe('active');
    expect(statusAfterStore({ status: 'abandoned', final_count: null }, 3, 3)).toBe('active');
  });

  it('re-judges a closed session against its final count', () => {
    expect(statusAfterStore({ status: 'incomplete', final_count: 10 }, 9, 9)).toBe('incomplete');
    expect(statusAfterStore({ status: 'incomplete', final_count: 10 }, 10, 10)).toBe('complete');
    expect(statusAfterStore({ status: 'complete', final_count: 10 }, 10, 12)).toBe('complete');
  });

  it('without a final count, expects the stored events to be contiguous', () => {
    expect(statusAfterStore({ status: 'complete', final_count: null }, 5, 6)).toBe('incomplete');
    expect(statusAfterStore({ status: 'incomplete', final_count: null }, 6, 6)).toBe('complete');
  });
});
