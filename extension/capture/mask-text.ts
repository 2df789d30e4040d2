import { luhnValid, maskPersonalText, TEXT_MASK_TOKENS, type MaskRule } from '@codesight/schema';

export { luhnValid };

/** What replaces an email address found in free text. */
export const EMAIL_TOKEN = TEXT_MASK_TOKENS['text-email'];
/** What replaces a card number found in free text. */
export const CARD_TOKEN = TEXT_MASK_TOKENS['text-card-number'];

/** Result of {@link maskTextDetailed}: the masked text and which rules fired, most sensitive first. */
export interface MaskedText {
  text: string;
  rules: MaskRule[];
}

/**
 * Replaces the personal data the shared detectors find (emails, IBANs, card numbers, national ids,
 * phone numbers, street addresses; in URLs also decoded parts and personal parameters) with tokens.
 * The detectors live in `schema/privacy` so the server runs exactly the same ones.
 */
export function maskText(text: string): string {
  return maskPersonalText(text).text;
}

/** {@link maskText}, also telling which rules fired (the more sensitive first). */
export function maskTextDetailed(text: string): MaskedText {
  const masked = maskPersonalText(text);
  return { text: masked.text, rules: masked.hits.map((hit) => hit.rule) };
}
