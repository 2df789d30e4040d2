/**
 * Bounds of an action's HTML neighbourhood snippet (neighbourhood-html.ts). Besides the character cap
 * (`LIMITS.neighbourhoodHtml`, 4 KiB) they bound the work done in the page per action: at most
 * `nodes` nodes are serialized, and at most `children` or `6 × siblings` are stepped over per element to
 * find them, whatever the page's size.
 */
export const NEIGHBOURHOOD_BOUNDS = {
  /** Ancestors climbed to find the container: a card's button sits 2-4 levels deep in it. */
  levels: 5,
  /** Levels written below the container; deeper off-path content is cut. */
  depth: 8,
  /**
   * Elements and text nodes written: a product card is 20-60, a dozen labelled fields ~60. Each costs
   * a few µs; a click on a grid's gap (the grid is the target) fills the budget with its first cards.
   */
  nodes: 100,
  /** Children written per element off the path (the first ones): a list's first rows say what it lists. */
  children: 16,
  /** Siblings (elements, non-blank text) written on either side of a path element: a 3,000-row grid gives its neighbours. */
  siblings: 12,
  /** Characters per text node after masking; headings and captions fit, a paragraph is cut with "…". */
  textChars: 80,
  /** Characters per attribute value; a long class list or label is cut. */
  attributeChars: 100,
  /** Attributes looked at per element (a hostile page may set thousands). */
  attributes: 64,
} as const;

/** Escapes text or an attribute value for HTML: `& < > "`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}
