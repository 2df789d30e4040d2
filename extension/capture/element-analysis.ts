import type { ElementAnalysis } from '@codesight/schema';
import { closestComposed, isShadowRoot, windowOf } from './dom';

/**
 * What counts as something a user acts on: links, buttons, form controls, summary, labels, editable
 * regions, widgets by ARIA role, inline click handlers and focusable custom controls.
 */
export const INTERACTIVE_SELECTOR = [
  'a[href]',
  'area[href]',
  'button',
  'input:not([type="hidden"])',
  'select',
  'textarea',
  'summary',
  'label',
  'option',
  '[contenteditable]:not([contenteditable="false"])',
  '[onclick]',
  '[tabindex]:not([tabindex="-1"])',
  ...[
    'button',
    'link',
    'checkbox',
    'radio',
    'switch',
    'tab',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'option',
    'combobox',
    'textbox',
    'searchbox',
    'slider',
    'spinbutton',
    'treeitem',
    'gridcell',
  ].map((r) => `[role="${r}"]`),
].join(',');

/**
 * Elements a click is attributed to when it lands inside them: a click on the <span> inside a button is a
 * click on the button. Narrower than {@link INTERACTIVE_SELECTOR}: a focusable page wrapper
 * (`<div tabindex=0>`) or a click-handler container must not swallow clicks on plain text.
 */
const ACTIONABLE_SELECTOR = [
  'a[href]',
  'area[href]',
  'button',
  'input:not([type="hidden"])',
  'select',
  'textarea',
  'summary',
  'label',
  'option',
  ...[
    'button',
    'link',
    'checkbox',
    'radio',
    'switch',
    'tab',
    'menuitem',
    'menuitemcheckbox',
    'menuitemradio',
    'option',
    'treeitem',
  ].map((r) => `[role="${r}"]`),
].join(',');

// Input types whose value the user types (as opposed to toggles and buttons).
const EDITABLE_INPUT_TYPES = new Set([
  'text',
  'search',
  'email',
  'tel',
  'url',
  'password',
  'number',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
]);

/** The nearest actionable element at or above `el` (crossing shadow hosts), or `el` itself when none is. */
export function actionableTarget(el: Element): Element {
  return closestComposed(el, ACTIONABLE_SELECTOR) ?? el;
}

/** The nearest interactive element at or above `el` (for hovers), or null on plain content. */
export function interactiveAncestor(el: Element): Element | null {
  return closestComposed(el, INTERACTIVE_SELECTOR);
}

/** Cheap facts about `el` a training pipeline filters on (interactive, disabled, editable, shadow, iframe). */
export function analyzeElement(el: Element): ElementAnalysis {
  return {
    isInteractive: safeMatches(el, INTERACTIVE_SELECTOR),
    isDisabled: isDisabled(el),
    isEditable: isEditable(el),
    isInShadowDom: isShadowRoot(el.getRootNode()),
    isInIframe: isInIframe(el),
  };
}

/** Disabled natively (including inside a disabled fieldset) or by `aria-disabled="true"` on it or an ancestor. */
export function isDisabled(el: Element): boolean {
  if (safeMatches(el, ':disabled')) return true;
  if ((el as HTMLButtonElement).disabled === true) return true;
  if (FORM_CONTROL_TAGS.has(el.localName) && inDisabledFieldset(el)) return true;
  return closestComposed(el, '[aria-disabled="true"]') !== null;
}

// Controls a disabled <fieldset> disables (some DOM emulations miss this in `:disabled`).
const FORM_CONTROL_TAGS = new Set(['button', 'input', 'select', 'textarea']);

// A disabled fieldset disables its controls, except those inside its first <legend>.
function inDisabledFieldset(el: Element): boolean {
  for (
    let fieldset = el.parentElement?.closest('fieldset[disabled]');
    fieldset;
    fieldset = fieldset.parentElement?.closest('fieldset[disabled]')
  ) {
    const legend = Array.from(fieldset.children).find((child) => child.localName === 'legend');
    if (!legend || !legend.contains(el)) return true;
  }
  return false;
}

/** Whether the user can type into `el`: text-like inputs, textareas, and contenteditable regions. */
export function isEditable(el: Element): boolean {
  if (el.localName === 'input') {
    const type = (el.getAttribute('type') ?? 'text').toLowerCase();
    return EDITABLE_INPUT_TYPES.has(type) && !el.hasAttribute('readonly') && !isDisabled(el);
  }
  if (el.localName === 'textarea') return !el.hasAttribute('readonly') && !isDisabled(el);
  return (el as HTMLElement).isContentEditable === true;
}

function isInIframe(el: Element): boolean {
  const win = windowOf(el);
  if (!win) return false;
  try {
    return win.top !== win;
  } catch {
    return true;
  }
}

function safeMatches(el: Element, selector: string): boolean {
  try {
    return el.matches(selector);
  } catch {
    return false;
  }
}
