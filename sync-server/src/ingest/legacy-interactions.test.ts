import { describe, expect, it } from 'vitest';
import { LIMITS, type LegacyInteraction } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { storeLegacyInteractions } from './legacy-interactions';

/** A database any use of which fails the test: a refusal must come before any work. */
const untouchable = new Proxy({} as Kysely<Database>, {
  get(_target, key) {
    throw new Error(`the database was used (${String(key)})`);
  },
});

describe('legacy interactions too large to mask', () => {
  it('refuses an interaction with more text than LIMITS.legacyInteractionChars before masking or storing it', async () => {
    // Regression: one legacy message held 16 MiB of phone-like text in one interaction; masking it took
    // 3 s in one go (a slice per interaction cannot pause inside one).
    const huge: LegacyInteraction = {
      type: 'click',
      timestamp: Date.now(),
      context: { note: '415 555 0123 '.repeat(Math.ceil(LIMITS.legacyInteractionChars / 13) + 1) },
    };
    const small: LegacyInteraction = { type: 'click', timestamp: Date.now(), text: 'Add to cart' };
    const result = await storeLegacyInteractions(untouchable, 'w1', 'cs_legacy_huge', [small, huge]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('payload_too_large');
    expect(result.error.message).toContain('data[1]');
  });

  it('counts keys too: a map with many long keys is as much text as long values', async () => {
    const keys = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`${i}:${'x'.repeat(1_000)}`, 1]));
    const result = await storeLegacyInteractions(untouchable, 'w1', 'cs_legacy_keys', [
      { type: 'click', timestamp: Date.now(), context: keys },
    ]);
    expect(result.ok ? undefined : result.error.code).toBe('payload_too_large');
  });
});
