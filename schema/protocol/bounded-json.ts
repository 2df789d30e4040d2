import { fail, ok, type Failure, type Result } from '../core/result';
import { LIMITS } from '../limits';

/** How deep and how wide a JSON text may be before it is parsed. */
export interface JsonTextBounds {
  /** Containers (`{`/`[`) open at once. */
  maxDepth: number;
  /** Items of any one array. */
  maxArrayItems: number;
}

/** A whole protocol message: {@link LIMITS.messageDepth} levels, arrays of {@link LIMITS.arrayItems}. */
export const MESSAGE_JSON_BOUNDS: JsonTextBounds = {
  maxDepth: LIMITS.messageDepth,
  maxArrayItems: LIMITS.arrayItems,
};

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
/** Marks an open object on the scanner's stack (arrays hold their comma count there). */
const IN_OBJECT = -1;

/**
 * Why `text` nests deeper or holds a longer array than `bounds` allow, or undefined. One pass over the
 * characters that builds nothing (strings are skipped with indexOf), so refusing 60 000 array items or
 * 150 000 levels costs a scan, not 60 000 objects or a stack overflow later. It does not check the
 * syntax: JSON.parse does that afterwards.
 */
export function jsonTextProblem(text: string, bounds: JsonTextBounds): string | undefined {
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) return undefined;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (open.length >= bounds.maxDepth) return `JSON nested deeper than ${bounds.maxDepth} levels`;
      open.push(c === OPEN_ARRAY ? 0 : IN_OBJECT);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      open.pop();
    } else if (c === COMMA && open.length > 0) {
      const top = open.length - 1;
      const commas = open[top]!;
      if (commas === IN_OBJECT) continue;
      // n commas separate n + 1 items.
      if (commas + 1 >= bounds.maxArrayItems) return `JSON array of more than ${bounds.maxArrayItems} items`;
      open[top] = commas + 1;
    }
  }
  return undefined;
}

/** Index of the quote closing the string opened at `start`, or -1 when it is not closed. */
function closingQuote(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/** Why {@link parseBoundedJson} refused: not JSON, or JSON past the bounds. */
export type BoundedJsonFailure = Failure<'invalid_json' | 'validation_failed'>;

/**
 * JSON.parse behind {@link jsonTextProblem}: text nested or sized past `bounds` is refused
 * (`validation_failed`) before anything is built, text that is not JSON is `invalid_json`.
 */
export function parseBoundedJson(
  text: string,
  bounds: JsonTextBounds = MESSAGE_JSON_BOUNDS,
): Result<unknown, BoundedJsonFailure> {
  const problem = jsonTextProblem(text, bounds);
  if (problem) return fail('validation_failed', problem);
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return fail('invalid_json', 'not valid JSON');
  }
}
