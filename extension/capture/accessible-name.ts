import { remembered } from './describe-scope';
import { isDocument, rootOf } from './dom';
import { liveTagCollection } from './live-counts';
import { isInPrivateBlock } from './private-block';
import { cleanText } from './text';
import { visibleText } from './visible-text';

/** Accessible names are capped here: enough to tell controls apart, short enough for a selector. */
const MAX_NAME_LENGTH = 200;

// Input types that are buttons (their name is their value or a default label).
const BUTTON_INPUT_TYPES = new Set(['button', 'submit', 'reset', 'image']);

// Roles whose accessible name comes from their content (WAI-ARIA 1.2 "name from: contents").
const NAME_FROM_CONTENT_ROLES = new Set([
  'button',
  'link',
  'heading',
  'tab',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'option',
  'checkbox',
  'radio',
  'switch',
  'cell',
  'gridcell',
  'columnheader',
  'rowheader',
  'row',
  'tooltip',
  'treeitem',
  'sectionhead',
]);

/**
 * The element's ARIA role: the first token of an explicit `role`, else the implicit role of its tag
 * (HTML-AAM), else undefined for generic elements.
 */
export function getRole(el: Element): string | undefined {
  const explicit = el.getAttribute('role')?.trim().toLowerCase().split(/\s+/)[0];
  return explicit || implicitRole(el);
}

/** The implicit ARIA role of an element from its tag and attributes (the common subset of HTML-AAM). */
function implicitRole(el: Element): string | undefined {
  const tag = el.localName;
  switch (tag) {
    case 'a':
    case 'area':
      return el.hasAttribute('href') ? 'link' : undefined;
    case 'button':
    case 'summary':
      return 'button';
    case 'input':
      return inputRole(el);
    case 'textarea':
      return 'textbox';
    case 'select': {
      const size = Number(el.getAttribute('size') ?? '0');
      return el.hasAttribute('multiple') || size > 1 ? 'listbox' : 'combobox';
    }
    case 'option':
      return 'option';
    case 'optgroup':
    case 'fieldset':
    case 'details':
      return 'group';
    case 'h1':
    case 'h2':
    case 'h3':
    case 'h4':
    case 'h5':
    case 'h6':
      return 'heading';
    case 'img':
      return el.getAttribute('alt') === '' ? 'presentation' : 'img';
    case 'nav':
      return 'navigation';
    case 'main':
      return 'main';
    case 'aside':
      return 'complementary';
    case 'header':
      return isScopedToSection(el) ? undefined : 'banner';
    case 'footer':
      return isScopedToSection(el) ? undefined : 'contentinfo';
    case 'form':
      return 'form';
    case 'search':
      return 'search';
    case 'section':
      return el.hasAttribute('aria-label') || el.hasAttribute('aria-labelledby') ? 'region' : undefined;
    case 'article':
      return 'article';
    case 'dialog':
      return 'dialog';
    case 'ul':
    case 'ol':
    case 'menu':
      return 'list';
    case 'li':
      return 'listitem';
    case 'table':
      return 'table';
    case 'tr':
      return 'row';
    case 'td':
      return 'cell';
    case 'th':
      return 'columnheader';
    case 'progress':
      return 'progressbar';
    case 'meter':
      return 'meter';
    case 'output':
      return 'status';
    case 'hr':
      return 'separator';
    default:
      return undefined;
  }
}

function inputRole(el: Element): string | undefined {
  const type = (el.getAttribute('type') ?? 'text').toLowerCase();
  const hasList = el.hasAttribute('list');
  switch (type) {
    case 'button':
    case 'submit':
    case 'reset':
    case 'image':
      return 'button';
    case 'checkbox':
      return 'checkbox';
    case 'radio':
      return 'radio';
    case 'range':
      return 'slider';
    case 'number':
      return 'spinbutton';
    case 'search':
      return hasList ? 'combobox' : 'searchbox';
    case 'hidden':
    case 'file':
    case 'color':
    case 'date':
    case 'datetime-local':
    case 'month':
    case 'time':
    case 'week':
      return undefined;
    // HTML-AAM gives password no role; Playwright and most agents address it as a textbox, so do we.
    default:
      return hasList ? 'combobox' : 'textbox';
  }
}

// <header>/<footer> inside these are not page banners/footers (HTML-AAM).
function isScopedToSection(el: Element): boolean {
  return el.parentElement?.closest('article, aside, main, nav, section') != null;
}

/** Options of {@link accessibleName}. */
export interface AccessibleNameOptions {
  /**
   * Allow the name to come from the element's text content (buttons, links...). Off for elements in
   * private blocks, whose content must not leak through their name.
   */
  fromContent?: boolean;
}

/**
 * A pragmatic accessible name (a subset of accname 1.2): aria-labelledby, aria-label, associated
 * labels, button values, alt, content for roles named by content, title, placeholder. Whitespace is
 * collapsed and the result capped at {@link MAX_NAME_LENGTH}. Never the value a user typed.
 */
export function accessibleName(el: Element, options: AccessibleNameOptions = {}): string | undefined {
  const fromContent = options.fromContent ?? true;
  // Asked for the target's name and again for its aria selector.
  return remembered(el, fromContent ? 'name' : 'name without content', () => computeName(el, fromContent));
}

function computeName(el: Element, fromContent: boolean): string | undefined {
  const candidates: (() => string | null | undefined)[] = [
    () => labelledByText(el),
    () => el.getAttribute('aria-label'),
    () => labelTexts(el).join(' '),
    () => buttonInputName(el),
    () => (['img', 'area'].includes(el.localName) ? el.getAttribute('alt') : undefined),
    () => (el.localName === 'fieldset' ? legendText(el) : undefined),
    () => {
      const role = getRole(el);
      return fromContent && role && NAME_FROM_CONTENT_ROLES.has(role)
        ? visibleText(el, { maxChars: MAX_NAME_LENGTH, includeAlt: true })
        : undefined;
    },
    () => el.getAttribute('title'),
    () => (['input', 'textarea'].includes(el.localName) ? el.getAttribute('placeholder') : undefined),
  ];
  for (const candidate of candidates) {
    const name = cleanText(candidate(), MAX_NAME_LENGTH);
    if (name) return name;
  }
  return undefined;
}

/** Text of the elements `aria-labelledby` points at (in the same root), skipping private ones. */
export function labelledByText(el: Element): string | undefined {
  const ids = el.getAttribute('aria-labelledby')?.trim().split(/\s+/).filter(Boolean) ?? [];
  const root = rootOf(el);
  if (ids.length === 0 || !root) return undefined;
  const texts: string[] = [];
  for (const id of ids) {
    const ref = root.getElementById(id);
    // Referenced labels may be hidden on purpose (accname includes them), so textContent, not visibleText.
    if (ref && !isInPrivateBlock(ref)) texts.push(ref === el ? '' : (ref.textContent ?? ''));
  }
  return texts.join(' ');
}

/**
 * Texts of the <label>s associated with a form control: `labels`, else `<label for=id>` in the same
 * root and a wrapping label. The control's own subtree is left out (a wrapped <select>'s options).
 */
export function labelTexts(el: Element): string[] {
  const labels = new Set<Element>();
  // `labels` searches the whole tree for <label>s on every call: on a page without any, skip it.
  if (!hasAnyLabel(el)) return [];
  const native = (el as HTMLInputElement).labels;
  if (native && native.length > 0) {
    for (const label of Array.from(native)) labels.add(label);
  } else {
    const id = el.getAttribute('id');
    const root = rootOf(el);
    if (id && root) {
      for (const label of Array.from(root.querySelectorAll('label[for]'))) {
        if (label.getAttribute('for') === id) labels.add(label);
      }
    }
    const wrapping = el.parentElement?.closest('label');
    if (wrapping && (!wrapping.hasAttribute('for') || wrapping.getAttribute('for') === id)) labels.add(wrapping);
  }
  const texts: string[] = [];
  for (const label of labels) {
    const text = visibleText(label, { maxChars: MAX_NAME_LENGTH, includeAlt: true, exclude: el });
    if (text) texts.push(text);
  }
  return texts;
}

/** Whether `el`'s root has a <label> at all: a cached count in documents, an early-exit search in shadow roots. */
function hasAnyLabel(el: Element): boolean {
  const root = rootOf(el);
  if (!root) return true;
  return isDocument(root) ? liveTagCollection(root, 'label').length > 0 : root.querySelector('label') !== null;
}

function buttonInputName(el: Element): string | undefined {
  if (el.localName !== 'input') return undefined;
  const type = (el.getAttribute('type') ?? '').toLowerCase();
  if (!BUTTON_INPUT_TYPES.has(type)) return undefined;
  if (type === 'image') return el.getAttribute('alt') ?? undefined;
  // A button's value is its visible caption, set by the page, not typed by the user.
  const value = el.getAttribute('value');
  if (value) return value;
  return type === 'submit' ? 'Submit' : type === 'reset' ? 'Reset' : undefined;
}

function legendText(el: Element): string | undefined {
  const legend = Array.from(el.children).find((child) => child.localName === 'legend');
  return legend ? visibleText(legend, { maxChars: MAX_NAME_LENGTH }) : undefined;
}
