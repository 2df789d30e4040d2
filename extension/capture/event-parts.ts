import { LIMITS, type Modifiers, type Viewport } from '@codesight/schema';
import { maskText } from './mask-text';
import { cleanText } from './text';

/** The viewport of `win` in CSS pixels, with its device pixel ratio. */
export function viewportOf(win: Window): Viewport {
  return {
    width: finite(win.innerWidth),
    height: finite(win.innerHeight),
    devicePixelRatio: finite(win.devicePixelRatio) || 1,
  };
}

/** The modifier keys held during a mouse or keyboard event. */
export function modifiersOf(event: MouseEvent | KeyboardEvent): Modifiers {
  return { alt: !!event.altKey, ctrl: !!event.ctrlKey, meta: !!event.metaKey, shift: !!event.shiftKey };
}

export { maskUrl } from './mask-url';

/** The page title as stored: masked, whitespace-collapsed, capped; undefined when empty. */
export function maskTitle(title: string): string | undefined {
  return cleanText(maskText(title), LIMITS.label);
}

/** A number the schema accepts: NaN and infinities (from odd DOM emulations) become 0. */
export function finite(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}
