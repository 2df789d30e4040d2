import { hasDigits } from './card-number';
import { replaceCounted, TEXT_MASK_TOKENS, type DetectorResult } from './text-rules';

const TOKEN = TEXT_MASK_TOKENS['text-street-address'];

// English: house number, one to four capitalised words, a street type ("221B Baker Street",
// "1600 Pennsylvania Ave NW", "10 Downing St"), then an optional unit ("Apt 4B", "Suite 200").
// The word repetition is bounded, so a failed match backtracks at most four ways per start.
const ENGLISH =
  /(?<![\p{L}\p{N}])\d{1,5}[A-Za-z]?(?: [A-Z][a-z]+){1,4} (?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy|Square|Sq|Circle|Cir)\b\.?(?: (?:NE|NW|SE|SW|N|S|E|W)\b)?(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|#) ?[A-Za-z0-9-]{1,6})?/gu;

// German / Austrian / Swiss: a street name ending in a street word, then the house number
// ("Hauptstraße 5", "Berliner Str. 12a", "Am Lindenweg 3"). The name starts at a word start, so the
// suffix search backtracks over one word only. A hyphen joins a word, it does not start one
// ("Alt-Moabitstraße 7" is matched from its first part): were every capital after a hyphen a start,
// each of them would scan the rest of the hyphenated word, and `A-A-A-...` (64 KiB) took 1.6 s.
const GERMAN =
  /(?<![\p{L}\p{N}-])(?:\p{Lu}[\p{L}-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee)|\p{Lu}\p{L}+ (?:Straße|Strasse|Str\.|Weg|Gasse|Allee|Platz|Ring|Damm|Ufer|Chaussee)) \d{1,4}(?: ?[a-zA-Z])?(?![\p{L}\p{N}])/gu;

// French: house number, street type, an optional particle and one to four capitalised words
// ("12 rue de Rivoli", "5 bis avenue Foch", "3 place de l'Étoile").
const FRENCH =
  /(?<![\p{L}\p{N}])\d{1,4}(?: ?(?:bis|ter))?,? (?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Pp]lace|[Cc]hemin|[Aa]llée|[Ii]mpasse|[Qq]uai|[Rr]oute) (?:(?:de la|de l'|du|des|de|d'|la|le|l') ?)?\p{Lu}[\p{L}'-]*(?: \p{Lu}[\p{L}'-]*){0,3}/gu;

/**
 * Replaces street-address lines written the usual English, German or French way with `[address]`. This
 * is the conservative free-text detector: it needs a house number next to a street word. Fields whose
 * purpose is an address are masked whole by the `street-address` field rule instead, because a
 * fragment ("Flat 3", a city, a postcode alone) cannot be told from other text.
 */
export function maskStreetAddresses(text: string): DetectorResult {
  if (!hasDigits(text, 1)) return { text, count: 0 };
  let out = text;
  let count = 0;
  for (const pattern of [ENGLISH, GERMAN, FRENCH]) {
    const step = replaceCounted(out, pattern, TOKEN);
    out = step.text;
    count += step.count;
  }
  return { text: out, count };
}
