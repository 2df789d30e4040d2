/**
 * What the vision model is asked about every screenshot. A documented constant (docs/server.md) so an
 * operator knows exactly what leaves the deployment with each image, and so analyses made with the same
 * prompt compare with each other. Changing it changes what new analyses mean: say so in the commit.
 *
 * Four labelled lines keep the answer short, skimmable in the console and easy to split later; the
 * personal-data line is a request, not a guarantee: masked fields are already painted over by the
 * extension before upload, and that is the guarantee.
 */
export const VISION_PROMPT = [
  'This is a screenshot of a web page, taken while a person was browsing or shopping.',
  'Answer in plain text, at most 120 words, in exactly these four labelled lines:',
  'Page type: search results, product page, category list, cart, checkout, sign-in, article, or other (say which).',
  'Products and prices: the visible products with their prices exactly as shown, or "none".',
  'Click target: the control the person most likely just used or is about to use (a highlighted or focused button, link, field or open menu), or "unclear".',
  'Notes: anything in the way of the task (pop-up, cookie banner, error, empty results), or "none".',
  'Do not transcribe personal data (names, addresses, e-mail addresses, card numbers). Painted-over areas are masked on purpose.',
].join('\n');

/** Longest capture trigger put in the prompt: a word like `click` or `navigation`, never free text. */
const MAX_TRIGGER_CHARS = 32;

/**
 * The prompt for one screenshot: {@link VISION_PROMPT} and what made the extension take it (`click`,
 * `navigation`, `periodic`...), which tells the model whether a click target is to be expected.
 */
export function visionPromptFor(trigger: string | null): string {
  const word = (trigger ?? 'periodic').replace(/[^\w-]/g, '').slice(0, MAX_TRIGGER_CHARS) || 'periodic';
  return `${VISION_PROMPT}\nThe frame was captured on: ${word}.`;
}
