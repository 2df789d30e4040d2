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

/** One pass of character facts that tell which detectors could match at all. */
interface TextFacts {
  digits: number;
  at: boolean;
  percent: boolean;
  equals: boolean;
  /** Any whitespace or control character. */
  space: boolean;
}

function factsOf(text: string): TextFacts {
  const facts: TextFacts = { digits: 0, at: false, percent: false, equals: false, space: false };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) facts.digits++;
    else if (code <= 32) facts.space = true;
    else if (code === 64) facts.at = true;
    else if (code === 37) facts.percent = true;
    else if (code === 61) facts.equals = true;
  }
  return facts;
}

interface Detector {
  rule: TextMaskRule;
  /** A necessary condition, from {@link TextFacts}: when false the detector cannot match and is skipped. */
  needs: (facts: TextFacts) => boolean;
  detect: (text: string) => DetectorResult;
}

const DETECTORS: readonly Detector[] = [
  // Emails first: their local part may hold digits a phone or card detector would otherwise take.
  { rule: 'text-email', needs: (f) => f.at || f.percent, detect: maskEmails },
  // IBANs before cards and phones: they are long digit runs behind two letters.
  { rule: 'text-iban', needs: (f) => f.digits >= 8, detect: maskIbans },
  { rule: 'text-card-number', needs: (f) => f.digits >= 13, detect: maskCardNumbers },
  { rule: 'text-national-id', needs: (f) => f.digits >= 6, detect: maskNationalIds },
  { rule: 'text-phone', needs: (f) => f.digits >= 7, detect: maskPhoneNumbers },
  // Every address pattern has a house number and a space.
  { rule: 'text-street-address', needs: (f) => f.digits >= 1 && f.space, detect: maskStreetAddresses },
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
const PERCENT_ESCAPE = /%[0-9a-f]{2}/i;
// The characters that separate a URL's parts: / ? & # ; =
const URL_DELIMITER_CODES: ReadonlySet<number> = new Set([...'/?&#;='].map((ch) => ch.charCodeAt(0)));
// Characters a decoded part must not hold raw when it goes back into the URL: delimiters, `%`, `+`,
// whitespace and controls.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be encoded.
const URL_RESERVED = /[%&=#?/;+\s\u0000-\u001f\u007f]/g;
// A value that is already a token (masked before, by the extension or an earlier pass).
const TOKEN_ONLY = /^\[[a-z-]+\]$/;

/**
 * Replaces personal data in free text with tokens: emails `[email]`, IBANs `[iban]`, card numbers
 * `[card]`, national ids `[national-id]`, phone numbers `[phone]`, street addresses `[address]`, and
 * says how many of each it replaced. Pure, no DOM: the extension runs it in the page and the server
 * again on everything it ingests. Idempotent: masking masked text changes nothing and reports nothing.
 * Text that holds no digit and no `@` costs a few character scans and no regex.
 */
export function maskPersonalText(text: string, options: MaskPersonalTextOptions = {}): MaskedPersonalText {
  const facts = factsOf(text);
  const asUrl = options.url ?? (!facts.space && URL_START.test(text));
  // A URL parameter named `name` or `zip` may hold neither a digit nor an `@`: its `=` is the clue.
  const urlWork = asUrl && (facts.equals || facts.percent);
  if (!urlWork && !DETECTORS.some((d) => d.needs(facts))) return { text, hits: [] };
  const counts = new Map<MaskRule, number>();
  const enabled = options.rules ? new Set(options.rules) : undefined;
  let out = urlWork ? maskUrlParts(text, facts, enabled, counts) : text;
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
  const facts = factsOf(text);
  return DETECTORS.some((d) => d.needs(facts));
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
    if (to < text.length) to = spaceBefore(text, to, Math.max(from, to - SLICE_BACKOFF_CHARS)) ?? to;
    out += maskPlain(text.slice(from, to), enabled, counts);
    from = to;
  }
  return out;
}

/**
 * The last space in `text` at or before `at` and after `after`, if any. Only that window is read:
 * `lastIndexOf` scans back to the text's start when there is no space, which made every slice of a long
 * text without one cost the whole prefix (16 MiB: 0.57 s, quadratic, instead of 0.06 s).
 */
function spaceBefore(text: string, at: number, after: number): number | undefined {
  for (let i = at; i > after; i--) if (text.charCodeAt(i) === 32) return i;
  return undefined;
}

function maskPlain(
  text: string,
  enabled: ReadonlySet<TextMaskRule> | undefined,
  counts: Map<MaskRule, number>,
): string {
  const facts = factsOf(text);
  let out = text;
  for (const { rule, needs, detect } of DETECTORS) {
    if ((enabled && !enabled.has(rule)) || !needs(facts)) continue;
    const step = detect(out);
    if (step.count > 0) {
      out = step.text;
      add(counts, rule, step.count);
    }
  }
  return out;
}

/**
 * Masks a URL part by part: each path segment, parameter value and fragment piece that holds percent
 * escapes (or `+` for a space in a query) is checked decoded, and a parameter whose key names personal
 * data loses its value when the detectors found nothing in it. Parts with neither are left to the
 * whole-text pass that follows. The URL is walked in place and only changed parts are copied out: split
 * into an array, 16 MiB of `&` in a legacy client's `url` took 670 MB of heap and 1.3 s.
 */
function maskUrlParts(
  url: string,
  facts: TextFacts,
  enabled: ReadonlySet<TextMaskRule> | undefined,
  counts: Map<MaskRule, number>,
): string {
  const decodeParts = facts.percent || url.includes('+');
  let out = '';
  // url[0, copied) is in `out`.
  let copied = 0;
  let inQuery = false;
  // The delimiter before the current part ('' for the first), and the part before that delimiter (as
  // masked, when it was: `[email]=x` reads as the key `email`).
  let delimiter = '';
  let keyStart = 0;
  let keyEnd = 0;
  let maskedKey: string | undefined;
  let start = 0;
  for (let end = 0; end <= url.length; end++) {
    if (end < url.length && !URL_DELIMITER_CODES.has(url.charCodeAt(end))) continue;
    if (delimiter === '?' || delimiter === '#') inQuery = true;
    let maskedPart: string | undefined;
    if (end > start) {
      const keyRule = delimiter === '=' ? parameterRule(maskedKey ?? url.slice(keyStart, keyEnd)) : undefined;
      if (decodeParts || keyRule) {
        const part = url.slice(start, end);
        const found = new Map<MaskRule, number>();
        let masked = maskUrlPart(part, inQuery, enabled, found);
        if (found.size === 0 && keyRule && !TOKEN_ONLY.test(part)) {
          masked = keyRule.token;
          found.set(keyRule.rule, 1);
        }
        for (const [rule, count] of found) add(counts, rule, count);
        if (masked !== part) {
          out += url.slice(copied, start) + masked;
          copied = end;
          maskedPart = masked;
        }
      }
    }
    delimiter = url.charAt(end);
    keyStart = start;
    keyEnd = end;
    maskedKey = maskedPart;
    start = end + 1;
  }
  return copied === 0 ? url : out + url.slice(copied);
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
  return encodeUrlPart(masked, inQuery);
}

/**
 * Encodes a masked part back into its URL: only what would change the URL's structure or is not
 * allowed raw, so the result is no longer than the original and tokens stay readable (`[phone]`).
 */
function encodeUrlPart(text: string, inQuery: boolean): string {
  return text.replace(URL_RESERVED, (ch) => (ch === ' ' && inQuery ? '+' : encodeURIComponent(ch)));
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
