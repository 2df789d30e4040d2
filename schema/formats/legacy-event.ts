import type { RecordedEvent } from '../entities/event';
import type { Mask } from '../entities/masking';
import type { LegacyEventData, LegacySessionExport } from './legacy-session';

/** The text that stands in for a hidden value, e.g. `[masked:email:13-32]`: rule and length class only. */
export function maskToken(mask: Mask): string {
  return `[masked:${mask.rule}:${mask.lengthClass}]`;
}

/**
 * The legacy `text` of an event: the target's visible text for pointer and hover events, the stored
 * (already masked) value for value changes — or the mask token when nothing could be stored — and null
 * for everything else.
 */
export function eventText(event: RecordedEvent): string | null {
  switch (event.type) {
    case 'click':
    case 'dblclick':
    case 'contextmenu':
    case 'hover':
      return event.target.text ?? null;
    case 'input':
    case 'change':
    case 'select':
      // A present value is already masked in the page; the token only stands in when nothing was kept.
      return event.value ?? (event.mask ? maskToken(event.mask) : null);
    default:
      return null;
  }
}

/** One legacy `{type, data}` entry. */
export type LegacyEvent = LegacySessionExport['events'][number];

/**
 * Maps one recorded event onto the legacy `{type, data}` shape. `data` starts with the six legacy keys
 * (selector = the CSS selector of the target, element = its lower-case tag, text = {@link eventText},
 * coordinates = client coordinates for pointer/hover only) and then carries a few small, flat extra keys
 * so the JSON is useful on its own:
 * - all: `sequence`, and `title` / `tabId` / `frameId` when known;
 * - events with a target: `selectors` (css, xpath, aria, text);
 * - click / dblclick / contextmenu: `button`, `modifiers`, `offsetX`, `offsetY`, `pageX`, `pageY`, `isVisible`;
 * - hover: `dwellMs`; input / change / select: `mask`, `checked`, `selectedText` when set;
 * - keydown: `key`, `code`, `modifiers`; scroll: `scrollX`, `scrollY`, `scrollWidth`, `scrollHeight`
 *   (never in `coordinates`, which are pointer positions);
 * - navigation: `navigationType`, `fromUrl`; tab: `action`, `openerTabId`; resize: `viewport`;
 *   visibility: `state`.
 * Absent optional fields are left out rather than written as null.
 */
export function toLegacyEvent(event: RecordedEvent): LegacyEvent {
  const target = 'target' in event ? event.target : undefined;
  const coordinates =
    event.type === 'click' || event.type === 'dblclick' || event.type === 'contextmenu' || event.type === 'hover'
      ? { x: event.coordinates.x, y: event.coordinates.y }
      : null;
  const data: LegacyEventData = {
    selector: target ? target.selectors.css : null,
    element: target ? target.tag.toLowerCase() : null,
    text: eventText(event),
    coordinates,
    url: event.url,
    timestamp: event.timestamp,
    sequence: event.sequence,
  };
  setIfDefined(data, 'title', event.title);
  setIfDefined(data, 'tabId', event.tabId);
  setIfDefined(data, 'frameId', event.frameId);
  if (target) data.selectors = target.selectors;
  switch (event.type) {
    case 'click':
    case 'dblclick':
    case 'contextmenu':
      Object.assign(data, {
        button: event.button,
        modifiers: event.modifiers,
        offsetX: event.offsetX,
        offsetY: event.offsetY,
        pageX: event.pageX,
        pageY: event.pageY,
        isVisible: event.isVisible,
      });
      break;
    case 'hover':
      data.dwellMs = event.dwellMs;
      break;
    case 'input':
    case 'change':
    case 'select':
      setIfDefined(data, 'mask', event.mask);
      setIfDefined(data, 'checked', event.checked);
      if (event.type === 'select') setIfDefined(data, 'selectedText', event.selectedText);
      break;
    case 'keydown':
      Object.assign(data, { key: event.key, code: event.code, modifiers: event.modifiers });
      break;
    case 'scroll':
      Object.assign(data, {
        scrollX: event.scrollX,
        scrollY: event.scrollY,
        scrollWidth: event.scrollWidth,
        scrollHeight: event.scrollHeight,
      });
      break;
    case 'navigation':
      data.navigationType = event.navigationType;
      setIfDefined(data, 'fromUrl', event.fromUrl);
      break;
    case 'tab':
      data.action = event.action;
      setIfDefined(data, 'openerTabId', event.openerTabId);
      break;
    case 'resize':
      data.viewport = event.viewport;
      break;
    case 'visibility':
      data.state = event.state;
      break;
  }
  return { type: event.type, data };
}

function setIfDefined(data: LegacyEventData, key: string, value: unknown): void {
  if (value !== undefined) data[key] = value;
}
