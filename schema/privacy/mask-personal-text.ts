import type { MaskRule } from '../entities/masking';
import { maskCardNumbers } from './card-number';
import { maskEmails } from './email';
import { maskIbans } from './iban';
import { maskNationalIds } from './national-id';
import { maskPhoneNumbers } from './phone';
import { maskStreetAddresses } from './street-address';
import { TEXT_MASK_RULES, type DetectorResult, type TextMaskRule } from './text-rules';
import { parameterRule } from './url-parameters';

/** How many times one rule replaced something in a text. */
export interface PersonalTextHit {
  rule: MaskRule;
  count: number;
}

/** What {@link maskPersonalText} returns: the text to store and what was replaced in it, by rule. */
export interface MaskedPersonalText {
  text: string;
  /** Most sensitive rule first (see {@link TEXT_MASK_RULES}); empty when nothing was found. */
  hits: PersonalTextHit[];
}

/** Options of {@link maskPersonalText}. */
export interface MaskPersonalTextOptions {
  /**
   * Treat the text as a URL: each path segment, parameter and fragment is also checked URL-decoded
   * (`%2B1%20415...`), and parameters whose key names personal data (`?phone=`, `?email=`, `?zip=`)
   * lose their value whatever it looks like. Undefined: guessed (a text without whitespace that starts
   * with a scheme, `/`, `?` or `#`).
   */
  url?: boolean;
  /** The detectors to run; all of {@link TEXT_MASK_RULES} when absent. */
  rules?: readonly TextMaskRule[];
}

/**
 * Texts are masked in slices of at most this many characters. Every detector is linear, so this does
 * not bound the total cost; it bounds each regex's working string (and the memory of its replacements)
 * however long a hostile string is. Captured fields are far shorter (at most 10 000 characters).
 */
export const MASK_SLICE_CHARS = 65_536;
// A slice ends at the last whitespace within this many characters of its limit, so a phone number or
// address on the boundary is rarely cut in two.
const SLICE_BACKOFF_CHARS = 256;

const DETECTORS: readonly (readonly [TextMaskRule, (text: string) => DetectorResult])[] = [
  // Emails first: their local part may hold digits a phone or card detector would otherwise take.
  ['text-email', maskEmails],
  // IBANs before cards and phones: they are long digit runs behind two letters.
  ['text-iban', maskIbans],
  ['text-card-number', maskCardNumbers],
  ['text-national-id', maskNationalIds],
  ['text-phone', maskPhoneNumbers],
  ['text-street-address', maskStreetAddresses],
];

const RULE_ORDER: readonly MaskRule[] = [
  ...TEXT_MASK_RULES,
  'password',
  'card-number',
  'card-cvc',
  'ssn',
  'one-time-code',
  'email',
  'phone',
  'name',
  'street-address',
  'postal-code',
  'birthday',
];

const URL_START = /^(?:[a-z][a-z\d+.-]*:|[/?#])/i;
const WHITESPACE = /\s/;
const PERCENT_ESCAPE = /%[0-9a-f]{2}/i;
const URL_DELIMITERS = /([/?&#;=])/;
// A token a detector wrote, as encodeURIComponent leaves it: turned back to brackets so the stored URL
// reads `?q=[phone]`, not `?q=%5Bphone%5D`.
const ENCODED_TOKEN = /%5B([a-z-]+)%5D/g;

/**
 * Replaces personal data in free text with tokens: emails `[email]`, IBANs `[iban]`, card numbers
 * `[card]`, national ids `[national-id]`, phone numbers `[phone]`, street addresses `[address]`, and
 * says how many of each it replaced. Pure, no DOM: the extension runs it in the page and the server
 * again on everything it ingests. Idempotent: masking masked text changes nothing and reports nothing.
 * Text that holds no digit and no `@` costs a few character scans and no regex.
 */
export function maskPersonalText(text: string, options: MaskPersonalTextOptions = {}): MaskedPersonalText {
  // A URL parameter named `name` or `zip` may hold neither a digit nor an `@`: `=` keeps URLs in.
  if (!mayHoldPersonalData(text) && !text.includes('=')) return { text, hits: [] };
  const counts = new Map<MaskRule, number>();
  const enabled = options.rules ? new Set(options.rules) : undefined;
  const asUrl = options.url ?? (URL_START.test(text) && !WHITESPACE.test(text));
  let out = asUrl ? maskUrlParts(text, enabled, counts) : text;
  out = maskSliced(out, enabled, counts);
  return { text: out, hits: hitsOf(counts) };
}

/** {@link maskPersonalText}'s text alone. */
export function maskPersonalTextOnly(text: string, options?: MaskPersonalTextOptions): string {
  return maskPersonalText(text, options).text;
}

/**
 * Whether any detector could match: every one needs a digit, except emails, which need an `@` or
 * `%40`. Most captured strings (captions, headings, class names) fail this after one scan.
 */
export function mayHoldPersonalData(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code >= 48 && code <= 57) || code === 64) return true;
  }
  return false;
}

function maskSliced(
  text: string,
  enabled: ReadonlySet<TextMaskRule> | undefined,
  counts: Map<MaskRule, number>,
): string {
  if (text.length <= MASK_SLICE_CHARS) return maskPlain(text, enabled, counts);
  let out = '';
  let from = 0;
  while (from < text.length) {
    let to = Math.min(text.length, from + MASK_SLICE_CHARS);
    if (to < text.length) {
      const space = text.lastIndexOf(' ', to);
      if (space > to - SLICE_BACKOFF_CHARS && space > from) to = space;
    }
    out += maskPlain(text.slice(from, to), enabled, counts);
    from = to;
  }
  return out;
}

function maskPlain(
  text: string,
  enabled: ReadonlySet<TextMaskRule> | undefined,
  counts: Map<MaskRule, number>,
): string {
  let out = text;
  for (const [rule, detect] of DETECTORS) {
    if (enabled && !enabled.has(rule)) continue;
    const step = detect(out);
    if (step.count > 0) {
      out = step.text;
      add(counts, rule, step.count);
    }
  }
  return out;
}

/**
 * Masks a URL part by part: each path segment, parameter key or value and fragment piece is checked
 * as written and, when it holds percent escapes (or `+` for a space in a query), decoded. A parameter
 * whose key names personal data loses its value when the detectors found nothing in it.
 */
function maskUrlParts(
  url: string,
  enabled: ReadonlySet<TextMaskRule> | undefined,
  counts: Map<MaskRule, number>,
): string {
  const parts = url.split(URL_DELIMITERS);
  let inQuery = false;
  for (let i = 0; i < parts.length; i += 2) {
    const delimiter = i > 0 ? parts[i - 1] : '';
    if (delimiter === '?' || delimiter === '#') inQuery = true;
    const part = parts[i]!;
    if (part.length === 0) continue;
    const found = new Map<MaskRule, number>();
    let masked = maskUrlPart(part, inQuery, enabled, found);
    if (found.size === 0 && delimiter === '=' && i >= 2 && !/^\[[a-z-]+\]$/.test(part)) {
      const keyRule = parameterRule(parts[i - 2]!);
      if (keyRule) {
        masked = keyRule.token;
        found.set(keyRule.rule, 1);
      }
    }
    for (const [rule, count] of found) add(counts, rule, count);
    parts[i] = masked;
  }
  return parts.join('');
}

function maskUrlPart(
  part: string,
  inQuery: boolean,
  enabled: ReadonlySet<TextMaskRule> | undefined,
  found: Map<MaskRule, number>,
): string {
  const encoded = PERCENT_ESCAPE.test(part) || (inQuery && part.includes('+'));
  if (!encoded) return maskPlain(part, enabled, found);
  let decoded: string;
  try {
    decoded = decodeURIComponent(inQuery ? part.replace(/\+/g, ' ') : part);
  } catch {
    return maskPlain(part, enabled, found);
  }
  const masked = maskPlain(decoded, enabled, found);
  if (found.size === 0) return part;
  return encodeURIComponent(masked).replace(ENCODED_TOKEN, '[$1]');
}

function add(counts: Map<MaskRule, number>, rule: MaskRule, count: number): void {
  counts.set(rule, (counts.get(rule) ?? 0) + count);
}

function hitsOf(counts: Map<MaskRule, number>): PersonalTextHit[] {
  const hits: PersonalTextHit[] = [];
  for (const rule of RULE_ORDER) {
    const count = counts.get(rule);
    if (count) hits.push({ rule, count });
  }
  return hits;
}
