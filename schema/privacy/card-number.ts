import { TEXT_MASK_TOKENS, type DetectorResult } from './text-rules';

// A run of digits where single spaces/dashes may separate groups ("4111 1111-1111 1111"). Runs are then
// cut into candidate numbers at group boundaries, so "Order 12 4111 1111 1111 1111" still finds the card.
const DIGIT_RUN = /(?<!\d)\d(?:[ \u00a0\u2007-]?\d)*(?!\d)/g;

/** Payment card numbers (PANs) are 13 to 19 digits long (ISO/IEC 7812). */
export const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;

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

/** Whether `text` holds at least `min` ASCII digits: the cheap test before any digit pattern runs. */
export function hasDigits(text: string, min: number): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57 && ++digits >= min) return true;
  }
  return false;
}

/**
 * Replaces every Luhn-valid 13–19 digit card number (single spaces or dashes allowed between groups)
 * with `[card]`. Longer digit runs are cut at group boundaries; a 20-digit run without separators is
 * no card and stays.
 */
export function maskCardNumbers(text: string): DetectorResult {
  if (!hasDigits(text, MIN_CARD_DIGITS)) return { text, count: 0 };
  let count = 0;
  const out = text.replace(DIGIT_RUN, (run) => {
    if (run.length < MIN_CARD_DIGITS) return run;
    const masked = maskRun(run);
    count += masked.count;
    return masked.text;
  });
  return { text: out, count };
}

/**
 * Masks, within one digit run, the longest Luhn-valid windows of whole groups totalling 13–19 digits.
 * The Luhn sums of a growing window are kept for both parities as digits are added (which digits are
 * doubled depends on the window's length), so each window costs its new digits, not a string and a
 * fresh check: a run of single digits ("1 1 1 ...") cost ~380 ns a character of masking before.
 */
function maskRun(run: string): DetectorResult {
  const groups: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = 0; i <= run.length; i++) {
    // Inside a digit run every non-digit is a group separator (DIGIT_RUN): no pattern per character.
    if (i === run.length || !isDigitCode(run.charCodeAt(i))) {
      groups.push({ start, end: i });
      start = i + 1;
    }
  }
  const spans: [number, number][] = [];
  let i = 0;
  while (i < groups.length) {
    let length = 0;
    // The Luhn sum when the window's even (0, 2, ...) or its odd positions from the left are doubled.
    let evenDoubled = 0;
    let oddDoubled = 0;
    let best = -1;
    // Bounded: a window stops growing past 19 digits, so a long run costs groups x 19 at most.
    for (let j = i; j < groups.length; j++) {
      const group = groups[j]!;
      if (length + group.end - group.start > MAX_CARD_DIGITS) break;
      for (let k = group.start; k < group.end; k++, length++) {
        const digit = run.charCodeAt(k) - 48;
        const doubled = digit > 4 ? digit * 2 - 9 : digit * 2;
        evenDoubled += length % 2 === 0 ? doubled : digit;
        oddDoubled += length % 2 === 0 ? digit : doubled;
      }
      // The rightmost digit is never doubled: an odd length doubles the odd positions, an even the even.
      if (length >= MIN_CARD_DIGITS && (length % 2 === 1 ? oddDoubled : evenDoubled) % 10 === 0) best = j;
    }
    if (best >= 0) {
      spans.push([groups[i]!.start, groups[best]!.end]);
      i = best + 1;
    } else {
      i++;
    }
  }
  let out = run;
  for (const [from, to] of spans.reverse())
    out = out.slice(0, from) + TEXT_MASK_TOKENS['text-card-number'] + out.slice(to);
  return { text: out, count: spans.length };
}

function isDigitCode(code: number): boolean {
  return code >= 48 && code <= 57;
}
