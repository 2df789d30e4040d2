import { describe, expect, it } from 'vitest';
import { qualityFlags } from './quality-flags';

const clean = {
  unresolvedTargets: 0,
  maskedFields: 0,
  serverMaskedEvents: 0,
  missingScreenshots: 0,
  missingAudioChunks: 0,
  sequenceGaps: [],
};

describe('qualityFlags', () => {
  it('shows nothing for a clean session', () => {
    expect(qualityFlags(clean)).toEqual([]);
  });

  it('names unresolved targets, missing media, masked fields, server masking and gaps with their counts', () => {
    const flags = qualityFlags({
      unresolvedTargets: 1,
      maskedFields: 2,
      serverMaskedEvents: 4,
      missingScreenshots: 3,
      missingAudioChunks: 1,
      sequenceGaps: [
        { from: 5, to: 5 },
        { from: 9, to: 12 },
      ],
    });
    expect(flags.map((f) => [f.id, f.level, f.text])).toEqual([
      ['unresolved', 'warn', '1 action whose element had no selector at capture'],
      ['missing-media', 'warn', 'missing media: 3 screenshots, 1 narration chunk'],
      ['masked', 'info', '2 fields masked'],
      ['server-masked', 'warn', '4 events sent with personal data unmasked (masked by the server)'],
      ['gaps', 'warn', 'gaps in sequences: 5, 9–12 (5 events)'],
    ]);
  });
});
