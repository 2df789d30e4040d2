import { replaceCounted, TEXT_MASK_TOKENS, type DetectorResult } from './text-rules';

// Local part and domain allow any letters/digits (internationalised addresses); `%40` is an `@` inside a
// URL-encoded query string, where emails end up after a form GET (`?email=jo%40x.com`). The local part
// leaves out the rare `= ? & #` characters so a query string's `email=` key survives the mask. The
// lookbehind starts a match only at the beginning of a word, which keeps a long run of letters linear.
const EMAIL_PATTERN =
  /(?<![\p{L}\p{N}._%+'-])[\p{L}\p{N}._%+'-]+(?:@|%40)[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*\.\p{L}{2,}/gu;

/** An email address needs an `@`, or its URL encoding `%40`: most text is skipped without a regex. */
export function mayHoldEmail(text: string): boolean {
  return text.includes('@') || text.includes('%40');
}

/** Replaces every email address (also `%40`-encoded) with `[email]`. */
export function maskEmails(text: string): DetectorResult {
  if (!mayHoldEmail(text)) return { text, count: 0 };
  return replaceCounted(text, EMAIL_PATTERN, TEXT_MASK_TOKENS['text-email']);
}
