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
  'Click target: the control at the click point when one is given below, else the one the person most likely just used or is about to use (a highlighted or focused button, link, field or open menu), or "unclear".',
  'Notes: anything in the way of the task (pop-up, cookie banner, error, empty results), or "none".',
  'Do not transcribe personal data (names, addresses, e-mail addresses, card numbers). Painted-over areas are masked on purpose.',
].join('\n');

/** Longest capture trigger put in the prompt: a word like `click` or `navigation`, never free text. */
const MAX_TRIGGER_CHARS = 32;

/** Where a click landed on the image, in percent of its width and height (0-100). */
export interface ClickAt {
  left: number;
  top: number;
}

/**
 * The prompt for one screenshot: {@link VISION_PROMPT}, what made the extension take it (`click`,
 * `navigation`, `periodic`...), and where the click landed when the frame belongs to one, so the model
 * names the control there instead of guessing. Only a word and two numbers are added: nothing from
 * the page.
 */
export function visionPromptFor(trigger: string | null, clickAt?: ClickAt | null): string {
  const word = (trigger ?? 'periodic').replace(/[^\w-]/g, '').slice(0, MAX_TRIGGER_CHARS) || 'periodic';
  const lines = [VISION_PROMPT, `The frame was captured on: ${word}.`];
  if (clickAt)
    lines.push(
      `The person clicked at about ${Math.round(clickAt.left)}% from the left and ${Math.round(clickAt.top)}% from the top of the image.`,
    );
  return lines.join('\n');
}

/**
 * Where a click at viewport `coordinates` lands on a frame of the viewport (`width` x `height` CSS
 * pixels): in percent, or null when a number is missing or the point is outside the frame.
 */
export function clickAtOf(
  coordinates: { x: number; y: number } | null,
  viewport: { width: number | null; height: number | null },
): ClickAt | null {
  const { width, height } = viewport;
  if (!coordinates || !width || !height || width <= 0 || height <= 0) return null;
  const left = (coordinates.x / width) * 100;
  const top = (coordinates.y / height) * 100;
  if (!Number.isFinite(left) || !Number.isFinite(top) || left < 0 || left > 100 || top < 0 || top > 100) return null;
  return { left, top };
}
