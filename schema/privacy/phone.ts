import { hasDigits } from './card-number';
import { keywordBefore } from './context';
import { TEXT_MASK_TOKENS, type DetectorResult } from './text-rules';

/**
 * A candidate run: digits joined by at most one separator (space, dot, slash, dash, parentheses), with
 * an optional leading `+` or `(`. It may not follow a letter, digit or joiner, so SKUs (`SKU-44120`),
 * tracking numbers (`1Z999AA1...`) and decimals never start one. Each step consumes a digit and the
 * separator alternatives differ by their first characters, so matching is linear.
 */
const PHONE_RUN = /(?<![\p{L}\p{N}_+./-])(?:\(?\+|\()?\d(?:(?:[ ./\u00a0-]|\) ?| ?\()?\d)*\)?/gu;

// E.164: at most 15 digits with the country code. Eight is the shortest international number in use.
const MAX_PHONE_DIGITS = 15;
const MIN_INTERNATIONAL_DIGITS = 8;
// A national number named by a keyword: 7 digits is a North American local number.
const MIN_KEYWORD_DIGITS = 7;

// "+49 30 1234567", "(+44) 20 7946 0958", "+1 (415) 555-0123".
const INTERNATIONAL = /^\(?\+[1-9]/;
// "0049 30 1234567": the international prefix used in most of Europe, with separators (a bare run of
// digits starting 00 is as likely an order number).
const DOUBLE_ZERO = /^00[1-9]\d{0,3}[ ./-]/;
// North American Numbering Plan: area code and exchange start with 2-9, separators are required. An
// area code in parentheses is a phone number's own notation, so there the exchange may start with
// anything (people type made-up ones like `(555) 123-4567` into forms); `555-123-4567` without them
// is not a valid number and as likely an order number.
const NANP = /^(?:1[ .-]?)?(?:\([2-9]\d\d\) ?\d|[2-9]\d\d[ .-][2-9])\d\d[ .-]\d{4}$/;
// National numbers with a trunk 0 and an area code ("030 1234567", "020 7946 0958", "06 12 34 56 78",
// "(0171) 2345678"). Like the 00 prefix, only at the start of a run: inside a long run of groups
// (a tracking number) a 0 group is no trunk prefix.
const TRUNK_ZERO = /^(?:\(0[1-9]\d{0,3}\) ?|0[1-9]\d{0,3}[ ./-])\d{2,}(?:[ .-]\d{2,}){0,4}$/;
// ...unless it is a date, perhaps followed by an hour ("01.12.2026 14:30" makes the run "01.12.2026 14").
const DATE_SHAPE = /^\d{1,2}([./-])\d{1,2}\1\d{2,4}(?: \d{1,4})?$/;

/** Words that make the number after them a phone number whatever its format. */
const PHONE_KEYWORD =
  /(?<!\p{L})(?:phone|telephone|tel|call(?:ed|ing)?|mobile|mob|cell(?:phone)?|sms|text me|whatsapp|fax|telefon|handy|t[ée]l[ée]phone|t[ée]l|portable|m[óo]vil|celular|cellulare)(?!\p{L})/iu;

interface Group {
  /** Where the group starts in the run, a leading `+`/`(` included. */
  lead: number;
  /** Where its digits end (a closing `)` right after belongs to it). */
  end: number;
  digits: number;
}

/**
 * Replaces phone numbers with `[phone]`:
 * - international ones (`+` or `00` and a country code), 8-15 digits, any usual separators;
 * - North American ones with separators (`415-555-0123`, `(415) 555 0123`, `1-800-555-0199`);
 * - national ones with a trunk 0 and separators (`030 1234567`, `020 7946 0958`), dates excluded;
 * - any 7-15 digit run a phone word stands just before (`call me at 4155550123`, `Tel: 5550123`).
 * Bare digit runs without such a word stay: they are as likely order, invoice or tracking numbers.
 */
export function maskPhoneNumbers(text: string): DetectorResult {
  if (!hasDigits(text, MIN_KEYWORD_DIGITS)) return { text, count: 0 };
  let count = 0;
  const out = text.replace(PHONE_RUN, (run: string, offset: number) => {
    if (!hasDigits(run, MIN_KEYWORD_DIGITS)) return run;
    const masked = maskRun(run, keywordBefore(text, offset, PHONE_KEYWORD));
    count += masked.count;
    return masked.text;
  });
  return { text: out, count };
}

function maskRun(run: string, named: boolean): DetectorResult {
  const groups = groupsOf(run);
  const spans: [number, number][] = [];
  let i = 0;
  while (i < groups.length) {
    let digits = 0;
    let best = -1;
    // Inside a run only an international number (decided by how the window starts) or a North
    // American one (10 or 11 digits) can begin, so other windows there are not cut out and tested: a
    // run of single digits ("1 1 1 ...") cost ~240 ns a character of masking when every one was.
    const international = INTERNATIONAL.test(run.slice(groups[i]!.lead, groups[i]!.lead + 3));
    // A window grows group by group until it holds more digits than any phone number: bounded work.
    for (let j = i; j < groups.length; j++) {
      digits += groups[j]!.digits;
      if (digits > MAX_PHONE_DIGITS + 2) break;
      if (i > 0 && !international && digits !== 10 && digits !== 11) continue;
      const window = run.slice(groups[i]!.lead, groups[j]!.end);
      if (
        isPhoneNumber(window, digits, i === 0) ||
        (named && i === 0 && digits >= MIN_KEYWORD_DIGITS && digits <= MAX_PHONE_DIGITS)
      ) {
        best = j;
      }
    }
    if (best >= 0) {
      spans.push([groups[i]!.lead, groups[best]!.end]);
      i = best + 1;
    } else {
      i++;
    }
  }
  let out = run;
  for (const [from, to] of spans.reverse()) out = out.slice(0, from) + TEXT_MASK_TOKENS['text-phone'] + out.slice(to);
  return { text: out, count: spans.length };
}

/** Splits a run into its digit groups; a `+` or `(` before a group and a `)` after it belong to it. */
function groupsOf(run: string): Group[] {
  const groups: Group[] = [];
  let i = 0;
  while (i < run.length) {
    let lead = i;
    while (i < run.length && !isDigit(run.charCodeAt(i))) {
      i++;
      const ch = run.charAt(i - 1);
      if (ch !== '+' && ch !== '(') lead = i;
    }
    const start = i;
    while (i < run.length && isDigit(run.charCodeAt(i))) i++;
    if (i === start) break;
    let end = i;
    if (run.charAt(end) === ')') end++;
    groups.push({ lead, end, digits: i - start });
  }
  return groups;
}

function isPhoneNumber(window: string, digits: number, runStart: boolean): boolean {
  if (INTERNATIONAL.test(window)) return digits >= MIN_INTERNATIONAL_DIGITS && digits <= MAX_PHONE_DIGITS;
  if (NANP.test(window)) return true;
  if (!runStart) return false;
  if (DOUBLE_ZERO.test(window)) return digits - 2 >= MIN_INTERNATIONAL_DIGITS && digits - 2 <= MAX_PHONE_DIGITS;
  return TRUNK_ZERO.test(window) && digits >= 9 && digits <= 12 && !DATE_SHAPE.test(window);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
