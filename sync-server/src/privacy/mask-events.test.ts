import { describe, expect, it } from 'vitest';
import type { LegacyInteraction } from '@codesight/schema';
import { EVENT_LOOP_PACE, maskLegacyInteractions, type MaskingPace } from './mask-events';

/** Phone-like digit runs: the text masking spends the most time on per character. */
const hostileText = (chars: number) => '415 555 0123 '.repeat(Math.ceil(chars / 13)).slice(0, chars);

const interactions = (count: number, chars: number): LegacyInteraction[] =>
  Array.from({ length: count }, (_, i) => ({ type: 'click', timestamp: i + 1, context: { note: hostileText(chars) } }));

describe('masking shares the event loop', () => {
  it('pauses whenever a slice of work is spent, and masks exactly as without pauses', async () => {
    let now = 0;
    let pauses = 0;
    // Every reading of the clock is 1 ms later: a slice of 3 ms is spent every few events.
    const pace: MaskingPace = { sliceMs: 3, now: () => now++, pause: () => Promise.resolve(void pauses++) };
    const input = interactions(40, 200);
    const paced = await maskLegacyInteractions(input, pace);
    expect(pauses).toBeGreaterThanOrEqual(10);
    const unpaced = await maskLegacyInteractions(input, { ...pace, sliceMs: Number.POSITIVE_INFINITY });
    expect(paced).toEqual(unpaced);
    expect(paced.masked).toHaveLength(40);
    expect(JSON.stringify(paced.events)).not.toMatch(/555/);
  });

  it('a hostile legacy message does not hold the event loop: other work runs before its masking ends', async () => {
    // Regression: 16 MiB of phone-like text in one legacy message took 3 s of masking, synchronously,
    // with every other worker's socket unanswered meanwhile. 4 MiB here, at the limit per interaction.
    let ranMeanwhile = 0;
    const timer = setInterval(() => ranMeanwhile++, 0);
    try {
      const result = await maskLegacyInteractions(interactions(64, 60_000), EVENT_LOOP_PACE);
      expect(result.masked).toHaveLength(64);
    } finally {
      clearInterval(timer);
    }
    expect(ranMeanwhile, 'timers fired while the message was being masked').toBeGreaterThan(0);
  });
});

describe('masking a message remembers each string it masked', () => {
  it('counts every occurrence where it sits, however often a string repeats', async () => {
    const url = 'https://shop.example/account?email=jo%40example.com';
    const events: LegacyInteraction[] = [
      { type: 'click', timestamp: 1, url, text: 'call 415 555 0123' },
      { type: 'scroll', timestamp: 2, url },
      { type: 'click', timestamp: 3, url, title: 'call 415 555 0123', context: { note: 'call 415 555 0123' } },
    ];
    const result = await maskLegacyInteractions(events);
    expect(result.masked).toEqual([
      { index: 0, counts: { 'text-email': { url: 1 }, 'text-phone': { text: 1 } } },
      { index: 1, counts: { 'text-email': { url: 1 } } },
      { index: 2, counts: { 'text-email': { url: 1 }, 'text-phone': { title: 1, text: 1 } } },
    ]);
    // The same text as a URL and as an attribute is masked by different rules: not mixed up by the memo.
    const asUrlThenAttribute = await maskLegacyInteractions([
      { type: 'click', timestamp: 1, url: '/account?phone=unknown' },
      { type: 'click', timestamp: 2, selector: '/account?phone=unknown' },
    ]);
    expect(asUrlThenAttribute.events[0]!.url).toBe('/account?phone=[phone]');
    expect(asUrlThenAttribute.events[1]!.selector).toBe('/account?phone=unknown');
  });
});
