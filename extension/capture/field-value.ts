import { cleanText } from './text';
import { LIMITS } from '@codesight/schema';

/** How a form element's state is read and which event type reports it. */
export type FieldKind = 'text' | 'checkable' | 'select' | 'file' | 'editable';

// Input types whose state is `checked`, not a typed value.
const CHECKABLE_TYPES = new Set(['checkbox', 'radio']);
// Input types that are buttons: nothing to record as a value.
const BUTTON_TYPES = new Set(['button', 'submit', 'reset', 'image', 'hidden']);

/** The kind of value `el` holds, or undefined when it holds none (buttons, plain elements). */
export function fieldKind(el: Element): FieldKind | undefined {
  switch (el.localName) {
    case 'textarea':
      return 'text';
    case 'select':
      return 'select';
    case 'input': {
      const type = (el.getAttribute('type') ?? 'text').toLowerCase();
      if (CHECKABLE_TYPES.has(type)) return 'checkable';
      if (BUTTON_TYPES.has(type)) return undefined;
      return type === 'file' ? 'file' : 'text';
    }
    default:
      return (el as HTMLElement).isContentEditable ? 'editable' : undefined;
  }
}

/**
 * The editing host of a contenteditable region: input events target it, and its text is the value.
 * Returns `el` itself for form controls.
 */
export function editingHost(el: Element): Element {
  if (fieldKind(el) !== 'editable') return el;
  let host = el;
  while (host.parentElement && host.parentElement.isContentEditable) host = host.parentElement;
  return host;
}

/** The current raw (unmasked) value of a text-like field or editable region. Never stored as is. */
export function rawValue(el: Element): string {
  if (fieldKind(el) === 'editable') return (el as HTMLElement).innerText ?? el.textContent ?? '';
  const value: unknown = (el as HTMLInputElement).value;
  return typeof value === 'string' ? value : '';
}

/** The selected values of a <select>, comma-joined for `multiple`. */
export function selectValue(el: HTMLSelectElement): string {
  return selectedOptions(el)
    .map((o) => o.value)
    .join(',');
}

/** The visible text of a <select>'s selected options (raw: callers mask it). */
export function selectText(el: HTMLSelectElement): string | undefined {
  return cleanText(
    selectedOptions(el)
      .map((o) => o.label || o.text)
      .join(', '),
    LIMITS.targetText * 2,
  );
}

function selectedOptions(el: HTMLSelectElement): HTMLOptionElement[] {
  const selected = el.selectedOptions as HTMLCollectionOf<HTMLOptionElement> | undefined;
  if (selected) return Array.from(selected);
  return Array.from(el.options ?? []).filter((o) => o.selected);
}
