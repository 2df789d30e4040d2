import { sampleRecordedEvents } from '@codesight/schema/testing';
import { describe, expect, it } from 'vitest';
import { maskRecordedEvents, maskLegacyInteractions } from './mask-events';
import { locationOfKey } from '@codesight/schema';
import { maskStoredStrings } from './mask-strings';

describe('maskStoredStrings', () => {
  it('returns clean values as they are, without copying', async () => {
    const events = sampleRecordedEvents('cs_clean', 14);
    for (const event of events) {
      const masked = maskStoredStrings(event);
      expect(masked.value).toBe(event);
      expect(masked.counts).toBeUndefined();
    }
    const batch = await maskRecordedEvents(events);
    expect(batch.events).toBe(events);
    expect(batch.masked).toEqual([]);
  });

  it('masks every captured string and counts by rule and location, copying only what changed', () => {
    const value = {
      type: 'input',
      sessionId: 'cs_4111111111111111',
      url: 'https://x.example/?tel=%2B14155550123',
      title: 'Hi jo@example.com',
      value: 'iban DE89370400440532013000',
      target: {
        id: 'row-4111-1111-1111-1111',
        classes: ['a', 'jo@example.com'],
        text: 'call 415-555-0123',
        href: 'mailto:jo@example.com',
        selectors: { css: '#x', text: 'text=jo@example.com' },
        boundingBox: { x: 1, y: 2, width: 3, height: 4 },
      },
      mask: { rule: 'text-email', lengthClass: '13-32' },
    };
    const masked = maskStoredStrings(value);
    expect(masked.value).toEqual({
      ...value,
      url: 'https://x.example/?tel=[phone]',
      title: 'Hi [email]',
      value: 'iban [iban]',
      target: {
        ...value.target,
        id: 'row-[card]',
        classes: ['a', '[email]'],
        text: 'call [phone]',
        href: 'mailto:[email]',
        selectors: { css: '#x', text: 'text=[email]' },
      },
    });
    // Structure and clean parts are shared, not copied; the session id is never touched.
    expect(masked.value.target.boundingBox).toBe(value.target.boundingBox);
    expect(masked.value.mask).toBe(value.mask);
    expect(masked.value.sessionId).toBe('cs_4111111111111111');
    expect(masked.counts).toEqual({
      'text-phone': { url: 1, text: 1 },
      'text-email': { title: 1, attribute: 2, url: 1 },
      'text-iban': { value: 1 },
      'text-card-number': { attribute: 1 },
    });
  });

  // Regression: the first version skipped keys it took for structure (`mask`, `type`, `code`...), so a
  // legacy client's free-form object could carry personal data under them unmasked.
  it('leaves no key a hiding place; only a well-formed session id is kept as it is', () => {
    const masked = maskStoredStrings({
      sessionId: 'cs_4111111111111111',
      session_id: 'call 415-555-0123',
      mask: { note: 'jo@example.com' },
      type: 'jo@example.com',
      code: '+1 415 555 0123',
      userAgent: 'Chrome jo@example.com',
    });
    expect(masked.value).toEqual({
      sessionId: 'cs_4111111111111111',
      session_id: 'call [phone]',
      mask: { note: '[email]' },
      type: '[email]',
      code: '[phone]',
      userAgent: 'Chrome [email]',
    });
  });

  // Hole closed: keys were stored as sent, so a legacy client's map keyed by URL or by typed values kept
  // personal data in its keys however well their values were masked.
  it('masks keys too, counting them, and keeps every value when two keys mask alike', () => {
    const masked = maskStoredStrings({
      context: {
        'https://shop.example/account?email=jo@example.com': { visits: 2 },
        visitsByPage: { '/orders': 1 },
      },
      typed: { 'jo@example.com': 1, 'ann@example.org': 2, '[email]': 3 },
    });
    expect(masked.value).toEqual({
      context: { 'https://shop.example/account?email=[email]': { visits: 2 }, visitsByPage: { '/orders': 1 } },
      typed: { '[email]': 3, '[email] 2': 1, '[email] 3': 2 },
    });
    expect(masked.counts).toEqual({ 'text-email': { text: 1, value: 2 } });
    // Key order kept; a `__proto__` key stays a key.
    const protoKey = maskStoredStrings(JSON.parse('{"__proto__": {"a": 1}, "jo@example.com": 1}') as object);
    expect(Object.keys(protoKey.value)).toEqual(['__proto__', '[email]']);
  });

  it('never makes a string longer than it was', () => {
    // `[national-id]` is longer than the nine digits it replaces.
    const masked = maskStoredStrings({ value: 'SSN 078051120' });
    expect(masked.value.value).toBe('SSN [national');
    expect(masked.value.value.length).toBe('SSN 078051120'.length);
  });

  it('masks legacy free-form interactions and says which ones', async () => {
    const result = await maskLegacyInteractions([
      { type: 'click', timestamp: 1, text: 'Add to cart' },
      { type: 'input', timestamp: 2, value: 'jo@example.com', extra: { note: 'call +44 20 7946 0958' } },
    ]);
    expect(result.masked).toEqual([{ index: 1, counts: { 'text-email': { value: 1 }, 'text-phone': { text: 1 } } }]);
    expect(result.events[1]).toMatchObject({ value: '[email]', extra: { note: 'call [phone]' } });
  });

  it.each([
    ['url', 'text', 'url'],
    ['fromUrl', 'text', 'url'],
    ['href', 'text', 'url'],
    ['action', 'text', 'url'],
    ['title', 'text', 'title'],
    ['value', 'text', 'value'],
    ['selectedText', 'text', 'value'],
    ['css', 'attribute', 'attribute'],
    ['text', 'attribute', 'attribute'],
    ['heading', 'text', 'text'],
    ['neighbourhoodHtml', 'text', 'text'],
  ] as const)('a string under %s (parent %s) counts as %s', (key, parent, expected) => {
    expect(locationOfKey(key, parent)).toBe(expected);
  });
});
