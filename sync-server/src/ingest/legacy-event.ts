import {
  LIMITS,
  type ElementAnalysis,
  type ElementContext,
  type EventType,
  type Modifiers,
  type RecordedEvent,
  type Target,
  type Viewport,
} from '@codesight/schema';
import { asBoolean, asEpochMs, asInteger, asNumber, asObject, asPoint, asString } from './legacy-fields';

/**
 * Rebuilding a RecordedEvent from a legacy interaction (as old clients sent it and the `data` column
 * keeps it). Old clients sent far less than the current schema has, so missing fields get neutral
 * values (zero rectangles, false flags, empty paths): the result is valid against RecordedEventSchema,
 * and the flat legacy fields (selector, text, coordinates, url, timestamp) survive exactly.
 */

const NO_MODIFIERS: Modifiers = { alt: false, ctrl: false, meta: false, shift: false };
const ZERO_RECT = { x: 0, y: 0, width: 0, height: 0 };

function modifiersOf(value: unknown): Modifiers {
  const o = asObject(value);
  if (!o) return NO_MODIFIERS;
  // Old clients copied either the short names or the DOM event's `altKey` style names.
  const flag = (short: string) => asBoolean(o[short]) ?? asBoolean(o[`${short}Key`]) ?? false;
  return { alt: flag('alt'), ctrl: flag('ctrl'), meta: flag('meta'), shift: flag('shift') };
}

function viewportOf(value: unknown): Viewport {
  const o = asObject(value);
  return {
    width: asNumber(o?.width) ?? 0,
    height: asNumber(o?.height) ?? 0,
    devicePixelRatio: asNumber(o?.devicePixelRatio) ?? 1,
  };
}

function rectOf(value: unknown): Target['boundingBox'] {
  const o = asObject(value);
  const x = asNumber(o?.x ?? o?.left);
  const y = asNumber(o?.y ?? o?.top);
  const width = asNumber(o?.width);
  const height = asNumber(o?.height);
  return x !== undefined && y !== undefined && width !== undefined && height !== undefined
    ? { x, y, width, height }
    : ZERO_RECT;
}

function classesOf(element: Record<string, unknown> | undefined): string[] {
  const list = element?.classes ?? element?.classList;
  const raw = Array.isArray(list) ? list : (asString(element?.className)?.split(/\s+/) ?? []);
  return raw
    .map((c) => asString(c, LIMITS.label))
    .filter((c): c is string => c !== undefined && c !== '')
    .slice(0, LIMITS.classes);
}

/** The target a legacy interaction describes with `selector`, `selectors`, `element` and `text`. */
function legacyTarget(raw: Record<string, unknown>): Target {
  const element = asObject(raw.element);
  const tag = (asString(raw.element) ?? asString(element?.tagName) ?? asString(element?.tag) ?? 'unknown')
    .toLowerCase()
    .slice(0, 64);
  const selectors = raw.selectors;
  const selectorList = Array.isArray(selectors) ? selectors : undefined;
  const selectorObject = asObject(selectors);
  const css =
    asString(raw.selector, LIMITS.selector) ??
    asString(selectorList?.[0], LIMITS.selector) ??
    asString(selectorObject?.css, LIMITS.selector) ??
    '';
  const optional = (value: unknown, max: number) => asString(value, max);
  const target: Target = {
    tag,
    classes: classesOf(element),
    boundingBox: rectOf(element?.boundingBox ?? element?.rect),
    shadowPath: [],
    framePath: [],
    selectors: {
      css,
      xpath: asString(selectorObject?.xpath, LIMITS.selector) ?? asString(element?.xpath, LIMITS.selector) ?? '',
    },
  };
  const fields: Array<[keyof Target, string | undefined]> = [
    ['id', optional(element?.id, LIMITS.label)],
    ['name', optional(element?.name, LIMITS.label)],
    ['type', optional(element?.type, LIMITS.label)],
    ['role', optional(element?.role, LIMITS.label)],
    ['text', optional(raw.text ?? element?.text ?? element?.textContent, LIMITS.targetText)],
    ['href', optional(element?.href, LIMITS.url)],
    ['accessibleName', optional(element?.ariaLabel ?? element?.accessibleName, LIMITS.label)],
  ];
  for (const [key, value] of fields) if (value !== undefined) Object.assign(target, { [key]: value });
  const aria = asString(selectorObject?.aria, LIMITS.selector);
  if (aria !== undefined) target.selectors.aria = aria;
  return target;
}

function contextOf(value: unknown): ElementContext {
  const heading = asString(asObject(value)?.heading, LIMITS.targetText);
  return heading === undefined ? {} : { heading };
}

function analysisOf(value: unknown): ElementAnalysis {
  const o = asObject(value);
  const flag = (key: string) => asBoolean(o?.[key]) ?? false;
  return {
    isInteractive: flag('isInteractive'),
    isDisabled: flag('isDisabled'),
    isEditable: flag('isEditable'),
    isInShadowDom: flag('isInShadowDom'),
    isInIframe: flag('isInIframe'),
  };
}

function pick<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/**
 * The RecordedEvent for a stored legacy interaction, valid against RecordedEventSchema whatever the
 * old client omitted. `type` must be on the whitelist (it was validated on the way in).
 */
export function legacyToRecordedEvent(
  sessionId: string,
  sequence: number,
  type: EventType,
  raw: Record<string, unknown>,
): RecordedEvent {
  const title = asString(raw.title, LIMITS.label);
  const tabId = asInteger(raw.tabId);
  const frameId = asInteger(raw.frameId);
  const common = {
    sessionId,
    sequence,
    timestamp: asEpochMs(raw.timestamp) ?? 0,
    url: asString(raw.url, LIMITS.url) ?? '',
    ...(title !== undefined && { title }),
    ...(tabId !== undefined && { tabId }),
    ...(frameId !== undefined && { frameId }),
  };
  const coordinates = asPoint(raw.coordinates) ?? { x: 0, y: 0 };
  const value = asString(raw.value, LIMITS.inputValue) ?? asString(raw.text, LIMITS.inputValue);

  switch (type) {
    case 'click':
    case 'dblclick':
    case 'contextmenu':
      return {
        ...common,
        type,
        coordinates,
        pageX: asNumber(raw.pageX) ?? coordinates.x,
        pageY: asNumber(raw.pageY) ?? coordinates.y,
        offsetX: asNumber(raw.offsetX) ?? 0,
        offsetY: asNumber(raw.offsetY) ?? 0,
        viewport: viewportOf(raw.viewport),
        modifiers: modifiersOf(raw.modifiers),
        button: asInteger(raw.button) ?? (type === 'contextmenu' ? 2 : 0),
        // The legacy column's default: old clients that did not check visibility reported nothing.
        isVisible: asBoolean(raw.isVisible) ?? false,
        target: legacyTarget(raw),
        context: contextOf(raw.context),
        elementAnalysis: analysisOf(raw.elementAnalysis),
      };
    case 'input':
    case 'change':
    case 'select': {
      const checked = asBoolean(raw.checked);
      const selectedText = asString(raw.selectedText, LIMITS.targetText);
      return {
        ...common,
        type,
        target: legacyTarget(raw),
        context: contextOf(raw.context),
        ...(value !== undefined && { value }),
        ...(checked !== undefined && { checked }),
        ...(type === 'select' && selectedText !== undefined && { selectedText }),
      };
    }
    case 'submit':
      return { ...common, type, target: legacyTarget(raw), context: contextOf(raw.context) };
    case 'keydown':
      return {
        ...common,
        type,
        key: asString(raw.key, 32) ?? '',
        code: asString(raw.code, 32) ?? '',
        modifiers: modifiersOf(raw.modifiers),
        ...((raw.selector !== undefined || raw.element !== undefined) && { target: legacyTarget(raw) }),
      };
    case 'scroll':
      return {
        ...common,
        type,
        scrollX: asNumber(raw.scrollX) ?? coordinates.x,
        scrollY: asNumber(raw.scrollY) ?? coordinates.y,
        scrollWidth: asNumber(raw.scrollWidth) ?? 0,
        scrollHeight: asNumber(raw.scrollHeight) ?? 0,
        viewport: viewportOf(raw.viewport),
      };
    case 'hover':
      return {
        ...common,
        type,
        coordinates,
        dwellMs: Math.max(0, asNumber(raw.dwellMs) ?? asNumber(raw.duration) ?? 0),
        target: legacyTarget(raw),
        context: contextOf(raw.context),
        elementAnalysis: analysisOf(raw.elementAnalysis),
      };
    case 'navigation': {
      const fromUrl = asString(raw.fromUrl, LIMITS.url);
      return {
        ...common,
        type,
        navigationType: pick(
          raw.navigationType,
          ['load', 'push_state', 'replace_state', 'popstate', 'hashchange'],
          'load',
        ),
        ...(fromUrl !== undefined && { fromUrl }),
      };
    }
    case 'tab': {
      const openerTabId = asInteger(raw.openerTabId);
      return {
        ...common,
        type,
        action: pick(raw.action, ['activated', 'created', 'closed'], 'activated'),
        ...(openerTabId !== undefined && { openerTabId }),
      };
    }
    case 'resize':
      return { ...common, type, viewport: viewportOf(raw.viewport) };
    case 'visibility':
      return { ...common, type, state: pick(raw.state ?? raw.visibilityState, ['visible', 'hidden'], 'visible') };
  }
}
