import { hasDigits } from './card-number';
import { TEXT_MASK_TOKENS, type DetectorResult } from './text-rules';

/**
 * IBAN length by country (SWIFT IBAN registry). A fixed length lets the scanner stop exactly where the
 * IBAN ends, whatever follows it ("DE89 3704 0044 0532 0130 00 BANK" ends before "BANK").
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

// Where an IBAN may start: two letters and two check digits at the beginning of a word.
const IBAN_START = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}/gu;
const ALNUM = /[A-Za-z0-9]/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

// Every IBAN holds at least this many digits (the shortest, Norway's, has 13): text with fewer is skipped.
const MIN_IBAN_DIGITS = 8;

/** The ISO 13616 check: the IBAN, first four characters moved to the end and letters as 10..35, mod 97 is 1. */
export function ibanChecksumValid(iban: string): boolean {
  const compact = iban.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code <= 57 ? code - 48 : code - 55;
    remainder = (value > 9 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/**
 * Replaces every IBAN of a known country, spaced in groups or not, upper or lower case, whose mod-97
 * checksum holds, with `[iban]`. A wrong checksum (a typo, or a product code shaped like an IBAN) stays.
 */
export function maskIbans(text: string): DetectorResult {
  if (!hasDigits(text, MIN_IBAN_DIGITS)) return { text, count: 0 };
  const spans: [number, number][] = [];
  IBAN_START.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = IBAN_START.exec(text))) {
    const start = match.index;
    const length = IBAN_LENGTHS[match[0].slice(0, 2).toUpperCase()];
    if (!length) continue;
    const end = scanIban(text, start, length);
    if (end === undefined) continue;
    spans.push([start, end]);
    IBAN_START.lastIndex = end;
  }
  if (spans.length === 0) return { text, count: 0 };
  let out = '';
  let from = 0;
  for (const [start, end] of spans) {
    out += text.slice(from, start) + TEXT_MASK_TOKENS['text-iban'];
    from = end;
  }
  return { text: out + text.slice(from), count: spans.length };
}

/**
 * Reads `length` IBAN characters from `start`, single spaces allowed between them, and returns where the
 * IBAN ends when it is whole (not followed by a letter or digit) and its checksum holds. At most
 * 2 x 34 characters are read per start, so the scan is linear in the text.
 */
function scanIban(text: string, start: number, length: number): number | undefined {
  let compact = '';
  let i = start;
  while (i < text.length && compact.length < length) {
    const ch = text.charAt(i);
    if (ALNUM.test(ch)) {
      compact += ch;
      i++;
    } else if (ch === ' ' && compact.length >= 4 && ALNUM.test(text.charAt(i + 1))) {
      i++;
    } else {
      return undefined;
    }
  }
  if (compact.length < length || WORD_CHAR.test(text.charAt(i))) return undefined;
  return ibanChecksumValid(compact) ? i : undefined;
}
