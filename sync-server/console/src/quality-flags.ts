import type { SessionQuality } from './api-types';

/** One line of the quality panel. */
export interface QualityFlag {
  id: 'unresolved' | 'missing-media' | 'masked' | 'server-masked' | 'gaps';
  /** `warn` flags are problems with the data; `info` ones are expected (masking). */
  level: 'warn' | 'info';
  text: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Formats a gap as `5` or `5–9`. */
export function gapText(gap: { from: number; to: number }): string {
  return gap.from === gap.to ? String(gap.from) : `${gap.from}–${gap.to}`;
}

/** The quality flags worth showing for a session; empty when nothing is wrong and nothing was masked. */
export function qualityFlags(quality: SessionQuality): QualityFlag[] {
  const flags: QualityFlag[] = [];
  if (quality.unresolvedTargets > 0)
    flags.push({
      id: 'unresolved',
      level: 'warn',
      text: `${plural(quality.unresolvedTargets, 'action', 'actions')} whose element had no selector at capture`,
    });
  const media = quality.missingScreenshots + quality.missingAudioChunks;
  if (media > 0) {
    const parts = [];
    if (quality.missingScreenshots > 0) parts.push(plural(quality.missingScreenshots, 'screenshot', 'screenshots'));
    if (quality.missingAudioChunks > 0)
      parts.push(plural(quality.missingAudioChunks, 'narration chunk', 'narration chunks'));
    flags.push({ id: 'missing-media', level: 'warn', text: `missing media: ${parts.join(', ')}` });
  }
  if (quality.maskedFields > 0)
    flags.push({ id: 'masked', level: 'info', text: `${plural(quality.maskedFields, 'field', 'fields')} masked` });
  // A client sent personal data unmasked and the server caught it: worth a look at that client.
  if (quality.serverMaskedEvents > 0)
    flags.push({
      id: 'server-masked',
      level: 'warn',
      text: `${plural(quality.serverMaskedEvents, 'event', 'events')} sent with personal data unmasked (masked by the server)`,
    });
  if (quality.sequenceGaps.length > 0) {
    const missing = quality.sequenceGaps.reduce((n, g) => n + g.to - g.from + 1, 0);
    flags.push({
      id: 'gaps',
      level: 'warn',
      text: `gaps in sequences: ${quality.sequenceGaps.map(gapText).join(', ')} (${plural(missing, 'event', 'events')})`,
    });
  }
  return flags;
}
