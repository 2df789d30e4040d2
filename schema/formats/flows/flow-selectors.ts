import type { Target } from '../../entities/target';
import type { Action } from '../actions';

/** Test-id attributes Playwright's `getByTestId` reads by default; the others only become CSS. */
const TEST_ID_CSS = /^\[data-testid="((?:[^"\\]|\\.)*)"\]$/;

/** `role=button[name="Add to cart"]` as the capture writes it (name quoted, `"` and `\` escaped). */
const ARIA_SELECTOR = /^role=([a-z]+)\[name="((?:[^"\\]|\\.)*)"\]$/;

const unescape = (quoted: string) => quoted.replace(/\\(.)/g, '$1');

/** The role and accessible name of the capture's aria selector, or undefined when it has none. */
export function ariaRoleAndName(target: Target): { role: string; name: string } | undefined {
  const match = target.selectors.aria ? ARIA_SELECTOR.exec(target.selectors.aria) : null;
  return match ? { role: match[1]!, name: unescape(match[2]!) } : undefined;
}

/** The `data-testid` value when the capture's CSS selector is exactly that attribute, else undefined. */
export function testIdOf(target: Target): string | undefined {
  const match = TEST_ID_CSS.exec(target.selectors.css);
  return match ? unescape(match[1]!) : undefined;
}

/** The text of the capture's `text=` selector, or undefined. */
export function textOf(target: Target): string | undefined {
  const text = target.selectors.text;
  return text?.startsWith('text=') ? text.slice('text='.length) : undefined;
}

/**
 * Placeholder typed into a field whose recorded value was masked (nothing stored): `{{masked:password}}`.
 * A replay substitutes a value of its own for it; the recording never held the real one.
 */
export function maskedPlaceholder(rule: string): string {
  return `{{masked:${rule}}}`;
}

/** Matches every {@link maskedPlaceholder}; group 1 is the rule. */
export const MASKED_PLACEHOLDER_PATTERN = /\{\{masked:([a-z-]+)\}\}/g;

/**
 * Whether the action happened in the top document: its recorded viewport is the window's, and a window
 * scroll is the page's. Events in an iframe carry the iframe's viewport and scroll.
 */
export function isTopFrameAction(action: Action): boolean {
  return (action.target?.framePath.length ?? 0) === 0 && (action.frameId === undefined || action.frameId === 0);
}
