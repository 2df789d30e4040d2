/** String helpers for captured text: whitespace collapsing and length caps that never split a character. */

/** Collapses runs of whitespace (including non-breaking spaces) to one space and trims. */
export function collapseWhitespace(text: string): string {
  return text.replace(/[\s\u00a0\u200b]+/g, ' ').trim();
}

/** Cuts `text` to at most `max` UTF-16 units without leaving half of a surrogate pair at the end. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/** Collapses whitespace, then caps; returns undefined for an empty result so optional fields stay absent. */
export function cleanText(text: string | null | undefined, max: number): string | undefined {
  if (!text) return undefined;
  const out = truncate(collapseWhitespace(text), max);
  return out === '' ? undefined : out;
}
