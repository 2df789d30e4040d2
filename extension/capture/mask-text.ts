import type { MaskRule } from '@codesight/schema';

/** What replaces an email address found in free text. */
export const EMAIL_TOKEN = '[email]';
/** What replaces a card number found in free text. */
export const CARD_TOKEN = '[card]';

// Local part and domain allow any letters/digits (internationalised addresses); `%40` is an `@` inside a
// URL-encoded query string, where emails end up after a form GET (`?email=jo%40x.com`). The local part
// leaves out the rare `= ? & #` characters so a query string's `email=` key survives the mask. The
// lookbehind starts a match only at the beginning of a word, which keeps a long run of letters linear.
const EMAIL_PATTERN =
  /(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}._%+'-]+(?:@|%40)[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*\.\p{L}{2,}/gu;

// A run of digits where single spaces/dashes may separate groups ("4111 1111-1111 1111"). Runs are then
// cut into candidate numbers at group boundaries, so "Order 12 4111 1111 1111 1111" still finds the card.
const DIGIT_RUN = /(?<!\d)\d(?:[ \u00a0\u2007-]?\d)*(?!\d)/g;
const GROUP_SEPARATOR = /[ \u00a0\u2007-]/;

// Payment card numbers (PANs) are 13 to 19 digits long (ISO/IEC 7812).
const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;

/** Result of {@link maskTextDetailed}: the masked text and which text rules fired. */
export interface MaskedText {
  text: string;
  rules: MaskRule[];
}

/**
 * Replaces every email address with `[email]` and every Luhn-valid 13–19 digit card number (spaces or
 * dashes allowed between groups) with `[card]`. Other numbers (phones, order numbers) stay.
 */
export function maskText(text: string): string {
  return maskTextDetailed(text).text;
}

/** {@link maskText}, also telling which rules fired (card before email, the more sensitive first). */
export function maskTextDetailed(text: string): MaskedText {
  const rules: MaskRule[] = [];
  // Most captured text (button captions, headings, URLs) has neither: the patterns are not run on it.
  if (!mayHoldCard(text) && !mayHoldEmail(text)) return { text, rules };
  let out = text;
  const withoutCards = maskCardNumbers(out);
  if (withoutCards !== out) {
    rules.push('text-card-number');
    out = withoutCards;
  }
  const withoutEmails = out.replace(EMAIL_PATTERN, EMAIL_TOKEN);
  if (withoutEmails !== out) {
    rules.push('text-email');
    out = withoutEmails;
  }
  return { text: out, rules };
}

/** A card number needs at least {@link MIN_CARD_DIGITS} digits in the text. */
function mayHoldCard(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57 && ++digits >= MIN_CARD_DIGITS) return true;
  }
  return false;
}

/** An email address needs an `@`, or its URL encoding `%40`. */
function mayHoldEmail(text: string): boolean {
  return text.includes('@') || text.includes('%40');
}

function maskCardNumbers(text: string): string {
  return text.replace(DIGIT_RUN, (run) => (run.replace(/\D/g, '').length < MIN_CARD_DIGITS ? run : maskRun(run)));
}

/** Masks, within one digit run, the longest Luhn-valid windows of whole groups totalling 13–19 digits. */
function maskRun(run: string): string {
  const groups: { start: number; end: number; digits: string }[] = [];
  let start = 0;
  for (let i = 0; i <= run.length; i++) {
    if (i === run.length || GROUP_SEPARATOR.test(run.charAt(i))) {
      groups.push({ start, end: i, digits: run.slice(start, i) });
      start = i + 1;
    }
  }
  const spans: [number, number][] = [];
  let i = 0;
  while (i < groups.length) {
    let digits = '';
    let best = -1;
    for (let j = i; j < groups.length; j++) {
      digits += groups[j]!.digits;
      if (digits.length > MAX_CARD_DIGITS) break;
      if (digits.length >= MIN_CARD_DIGITS && luhnValid(digits)) best = j;
    }
    if (best >= 0) {
      spans.push([groups[i]!.start, groups[best]!.end]);
      i = best + 1;
    } else {
      i++;
    }
  }
  let out = run;
  for (const [from, to] of spans.reverse()) out = out.slice(0, from) + CARD_TOKEN + out.slice(to);
  return out;
}

/** The Luhn (mod 10) check every payment card number passes. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}
