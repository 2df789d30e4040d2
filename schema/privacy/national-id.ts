import { hasDigits } from './card-number';
import { keywordBefore } from './context';
import { replaceCounted, TEXT_MASK_TOKENS, type DetectorResult } from './text-rules';

const TOKEN = TEXT_MASK_TOKENS['text-national-id'];

// US Social Security number written AAA-GG-SSSS or AAA GG SSSS (the same separator twice).
const SSN_SEPARATED = /(?<![\p{L}\p{N}./-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\p{N}]|[-/.]\d)/gu;
// Nine bare digits count only after a word naming them ("SSN 078051120").
const SSN_BARE = /(?<![\p{L}\p{N}./-])(\d{3})(\d{2})(\d{4})(?![\p{N}]|[-/.]\d)/gu;
const SSN_KEYWORD = /(?<!\p{L})(?:ssn|social security(?: number| no)?|soc sec)(?!\p{L})/iu;

/**
 * UK National Insurance number: two prefix letters (D, F, I, Q, U, V never; O not second), six digits
 * in pairs, suffix A-D. The prefixes BG, GB, KN, NK, NT, TN, ZZ are never issued.
 */
const NINO =
  /(?<![\p{L}\p{N}])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![\p{L}\p{N}])/giu;
const NINO_NEVER_ISSUED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

// Spanish DNI (8 digits) and NIE (X/Y/Z + 7 digits), each closed by a check letter: 1 in 23 of random
// codes pass, and the exact shape is rare in product codes.
const DNI_NIE = /(?<![\p{L}\p{N}])([XYZxyz]?)(\d{7,8})[- ]?([A-Za-z])(?![\p{L}\p{N}])/gu;
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** An SSN the Social Security Administration could have issued: no 000/666/9xx area, 00 group, 0000 serial. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

/** The check letter of a Spanish DNI / NIE holds (`nie` is the X/Y/Z prefix, '' for a DNI). */
export function dniValid(nie: string, digits: string, letter: string): boolean {
  if (nie) {
    if (digits.length !== 7) return false;
    digits = String('XYZ'.indexOf(nie.toUpperCase())) + digits;
  } else if (digits.length !== 8) {
    return false;
  }
  return DNI_LETTERS[Number(digits) % 23] === letter.toUpperCase();
}

/**
 * Replaces national identity numbers whose format or checksum makes them reliable with `[national-id]`:
 * US SSNs (separated, or nine digits after "SSN"), UK National Insurance numbers, Spanish DNI/NIE.
 * Numbers that are only "some digits" in their country (German tax id, Dutch BSN, French NIR without
 * context) are deliberately left to the field rules: as free text they collide with order numbers.
 */
export function maskNationalIds(text: string): DetectorResult {
  if (!hasDigits(text, 6)) return { text, count: 0 };
  let out = text;
  let count = 0;
  const apply = (pattern: RegExp, accept: (match: string, offset: number) => boolean) => {
    const step = replaceCounted(out, pattern, TOKEN, accept);
    out = step.text;
    count += step.count;
  };
  apply(SSN_SEPARATED, (match) => {
    const digits = match.replace(/\D/g, '');
    return ssnValid(digits.slice(0, 3), digits.slice(3, 5), digits.slice(5));
  });
  const beforeBare = out;
  apply(
    SSN_BARE,
    (match, offset) =>
      ssnValid(match.slice(0, 3), match.slice(3, 5), match.slice(5)) && keywordBefore(beforeBare, offset, SSN_KEYWORD),
  );
  apply(NINO, (match) => !NINO_NEVER_ISSUED.has(match.slice(0, 2).toUpperCase()));
  apply(DNI_NIE, (match) => {
    const m = /^([XYZxyz]?)(\d{7,8})[- ]?([A-Za-z])$/.exec(match);
    return !!m && dniValid(m[1]!, m[2]!, m[3]!);
  });
  return { text: out, count };
}
