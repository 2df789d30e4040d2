import type { MaskRule } from '../entities/masking';
import { cachedLocationOfKey } from './mask-locations';
import type { MaskCountsByLocation, MaskLocation } from './privacy-report';
import { TEXT_MASK_TOKENS, type TextMaskRule } from './text-rules';
import { PARAMETER_RULE_LIST } from './url-parameters';

// Each token once, with the rule it stands for. A token both a detector and a URL parameter use
// (`[email]`) counts as the detector's rule: the two are the same kind of data.
const TOKEN_RULES: ReadonlyMap<string, MaskRule> = new Map<string, MaskRule>([
  ...PARAMETER_RULE_LIST.map((p) => [p.token, p.rule] as const),
  ...(Object.entries(TEXT_MASK_TOKENS) as [TextMaskRule, string][]).map(([rule, token]) => [token, rule] as const),
]);

// A token right after a letter or digit is a form field's name (`user[email]`, `order[name]`), not a mask.
const TOKEN_PATTERN = new RegExp(
  `(?<![\\p{L}\\p{N}_\\]])(?:${[...TOKEN_RULES.keys()].map((t) => t.replace(/[[\]]/g, (c) => `\\${c}`)).join('|')})`,
  'gu',
);

/** Nesting deeper than any event's: a walk stops there instead of following a pathological value. */
const MAX_DEPTH = 32;

/** Options of {@link countMaskTokens}. */
export interface CountMaskTokensOptions {
  /** Locations not counted: those another count covers already (a value's `mask`). */
  skip?: readonly MaskLocation[];
}

/**
 * Adds to `into` the mask tokens (`[email]`, `[phone]`, ...) found in `value`'s strings, by rule and by
 * where they sit. The extension's masking leaves a token wherever it replaced personal data in text,
 * URLs, titles and attributes, and records no rule there (only values carry a `mask`): the tokens are
 * what tell its privacy report what it masked. A string's location follows its keys (locationOfKey), from
 * `text` at the top. Counts only, never content. Returns `into`.
 */
export function countMaskTokens(
  value: unknown,
  into: MaskCountsByLocation = {},
  options: CountMaskTokensOptions = {},
): MaskCountsByLocation {
  walk(value, 'text', options.skip ?? [], into, 0);
  return into;
}

function walk(
  value: unknown,
  location: MaskLocation,
  skip: readonly MaskLocation[],
  into: MaskCountsByLocation,
  depth: number,
): void {
  if (typeof value === 'string') {
    if (value.includes('[') && !skip.includes(location)) countIn(value, location, into);
    return;
  }
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, location, skip, into, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value))
    walk(item, cachedLocationOfKey(key, location), skip, into, depth + 1);
}

function countIn(text: string, location: MaskLocation, into: MaskCountsByLocation): void {
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const rule = TOKEN_RULES.get(match[0])!;
    const byLocation = (into[rule] ??= {});
    byLocation[location] = (byLocation[location] ?? 0) + 1;
  }
}
