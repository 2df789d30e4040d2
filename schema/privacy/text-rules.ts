import type { MaskRule } from '../entities/masking';

/** The mask rules the free-text detectors report: something personal found inside otherwise stored text. */
export type TextMaskRule = Extract<
  MaskRule,
  'text-email' | 'text-card-number' | 'text-phone' | 'text-iban' | 'text-national-id' | 'text-street-address'
>;

/**
 * Every free-text rule, most sensitive first: the order in which {@link maskPersonalText} reports hits,
 * so a caller that keeps one rule per value keeps the one that matters most.
 */
export const TEXT_MASK_RULES: readonly TextMaskRule[] = [
  'text-card-number',
  'text-iban',
  'text-national-id',
  'text-email',
  'text-phone',
  'text-street-address',
];

/**
 * What replaces each kind of personal data in stored text. Square brackets never occur in what the
 * detectors match, so a token is never matched again and masking is idempotent.
 */
export const TEXT_MASK_TOKENS: Readonly<Record<TextMaskRule, string>> = {
  'text-email': '[email]',
  'text-card-number': '[card]',
  'text-phone': '[phone]',
  'text-iban': '[iban]',
  'text-national-id': '[national-id]',
  'text-street-address': '[address]',
};

/** What one detector did to a text: the text with its finds replaced, and how many it replaced. */
export interface DetectorResult {
  text: string;
  count: number;
}

/** Replaces every match of a global `pattern` accepted by `accept` with `token`, counting replacements. */
export function replaceCounted(
  text: string,
  pattern: RegExp,
  token: string,
  accept: (match: string, offset: number) => boolean = () => true,
): DetectorResult {
  let count = 0;
  const out = text.replace(pattern, (match: string, ...rest: unknown[]) => {
    // String.replace passes the captures (strings or undefined), then the offset: the first number.
    const offset = rest.find((r): r is number => typeof r === 'number') ?? 0;
    if (!accept(match, offset)) return match;
    count++;
    return token;
  });
  return { text: out, count };
}
