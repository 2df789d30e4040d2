/**
 * Turning untrusted strings and JSON into something PostgreSQL will store. Two things a page can put
 * in a string are refused by PostgreSQL: U+0000 (no text or jsonb value may contain it) and lone
 * UTF-16 surrogates (jsonb rejects the `\udXXX` escape JSON.stringify writes for them; in text columns
 * node-postgres already turns them into U+FFFD). One such character must not make a whole batch
 * unstorable, so both become U+FFFD, the replacement character, and everything else is kept verbatim.
 */

// Global: used with replace(). NUL, a high surrogate not followed by a low one, a low one not preceded by a high one.
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found: PostgreSQL text cannot hold it.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// Same pattern without the g flag, for test(): a global regex keeps lastIndex between calls.
const HAS_UNSTORABLE = new RegExp(UNSTORABLE.source);

const REPLACEMENT = '\ufffd';

/** The string with NUL and lone surrogates replaced by U+FFFD; unchanged (same instance) when clean. */
export function storableText(text: string): string {
  return HAS_UNSTORABLE.test(text) ? text.replace(UNSTORABLE, REPLACEMENT) : text;
}

/** `storableText` for optional columns: undefined and null become null. */
export function storableTextOrNull(text: string | null | undefined): string | null {
  return text === undefined || text === null ? null : storableText(text);
}

// In JSON.stringify's output (well-formed since Node 12) NUL is always written `\u0000` and a lone
// surrogate always as its `\udXXX` escape (a valid pair is written as the characters themselves), so
// both are found in the text; the backslashes before `\u` must be odd in number, or the `\u` is text
// (a page that typed a backslash and "u0000").
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g;

/**
 * JSON text for a jsonb column: strings (values and keys) made storable, `undefined` properties dropped
 * (as JSON.stringify does), a top-level `undefined` stored as JSON `null`. The cleaning is one pass over
 * the text, not a replacer function called for every value: the replacer made this the largest Node
 * cost of storing a batch (docs/performance.md).
 */
export function toJsonb(value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) return 'null';
  return text.includes('\\u') ? text.replace(UNSTORABLE_ESCAPE, '$1\\ufffd') : text;
}

/** `toJsonb` for nullable columns: undefined and null become SQL NULL. */
export function toJsonbOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : toJsonb(value);
}
