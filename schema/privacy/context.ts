/** How far before a number a keyword may stand and still name it ("call me tomorrow at 4155550123"). */
export const KEYWORD_WINDOW = 24;

/**
 * Whether `keyword` matches in the {@link KEYWORD_WINDOW} characters before `offset`. The window is
 * short and fixed, so the test costs the same whatever the text's length.
 */
export function keywordBefore(text: string, offset: number, keyword: RegExp): boolean {
  return keyword.test(text.slice(Math.max(0, offset - KEYWORD_WINDOW), offset));
}
