import { fieldKind } from './field-value';
import { maskText } from './mask-text';
import { escapeHtml, NEIGHBOURHOOD_BOUNDS as B } from './neighbourhood-bounds';
import { collapseWhitespace, truncate } from './text';

// What identifies an element or says what it is for; values are page-set, masked anyway.
const TEXT_ATTRIBUTES = new Set([
  'id',
  'class',
  'name',
  'type',
  'role',
  'placeholder',
  'alt',
  'title',
  'for',
  'method',
  'autocomplete',
  'inputmode',
  'contenteditable',
  'data-testid',
  'data-test',
  'data-test-id',
  'data-qa',
  'data-cy',
]);
// State the page set in its HTML, written without a value.
const BOOLEAN_ATTRIBUTES = new Set([
  'disabled',
  'checked',
  'selected',
  'required',
  'readonly',
  'multiple',
  'hidden',
  'open',
]);
const URL_ATTRIBUTES = new Set(['href', 'action']);
// A fragment that names an element (`#reviews`), not one that carries state (`#access_token=…`).
const IN_PAGE_ANCHOR = /^#[\w-]{0,64}$/;
// Query keys kept per URL; a tracking URL may carry dozens.
const MAX_QUERY_KEYS = 16;

/**
 * The attributes of `el` a snippet keeps, as `[name, escaped value]` in document order: identity and
 * purpose (id, class, name, type, role, aria-*, test ids, placeholder, alt, title), boolean state, link
 * targets with query values and fragments removed, and `value` only where the page set it for a control
 * that holds no typed text (a checkbox's, a button's, an option's). Every value is masked with `maskText`,
 * whitespace-collapsed and cut to {@link NEIGHBOURHOOD_BOUNDS.attributeChars}. `names`: `el`'s attribute
 * names when the caller has them already. A field's typed value
 * never appears: its `value` attribute is skipped (frameworks mirror typed text into it).
 */
export function neighbourhoodAttributes(el: Element, names = el.getAttributeNames()): [string, string][] {
  const out: [string, string][] = [];
  // Names, not `el.attributes`: each entry of that map is an Attr node the browser creates on access.
  const count = Math.min(names.length, B.attributes);
  for (let i = 0; i < count; i++) {
    const name = names[i]!.toLowerCase();
    if (BOOLEAN_ATTRIBUTES.has(name)) out.push([name, '']);
    else if (TEXT_ATTRIBUTES.has(name) || name.startsWith('aria-')) out.push([name, clean(attribute(el, names[i]!))]);
    else if (URL_ATTRIBUTES.has(name)) out.push([name, clean(withoutQueryValues(attribute(el, names[i]!)))]);
    else if (name === 'value' && holdsPageValue(el)) out.push([name, clean(attribute(el, names[i]!))]);
  }
  return out;
}

function attribute(el: Element, name: string): string {
  return el.getAttribute(name) ?? '';
}

function clean(value: string): string {
  return escapeHtml(truncate(maskText(collapseWhitespace(value)), B.attributeChars));
}

/** Whether `el`'s `value` attribute is the page's, not the user's: buttons, checkables, options. */
function holdsPageValue(el: Element): boolean {
  const tag = el.localName;
  if (tag === 'button' || tag === 'option') return true;
  if (tag !== 'input') return false;
  const type = (el.getAttribute('type') ?? 'text').toLowerCase();
  // Hidden inputs carry session and CSRF tokens; text-like ones what the user typed.
  if (type === 'hidden') return false;
  const kind = fieldKind(el);
  return kind === undefined || kind === 'checkable';
}

/**
 * A URL with its query values and fragment dropped (`/search?q=&page=`): they carry search terms, ids and
 * tokens; the path and the keys say where the link goes. An in-page anchor (`#reviews`) is kept;
 * `javascript:` URLs are code, not a destination.
 */
function withoutQueryValues(raw: string): string {
  const url = raw.trim();
  if (url.startsWith('#')) return IN_PAGE_ANCHOR.test(url) ? url : '#';
  if (/^javascript:/i.test(url)) return 'javascript:';
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const q = base.indexOf('?');
  if (q < 0) return base;
  const keys = base
    .slice(q + 1)
    .split('&', MAX_QUERY_KEYS)
    .map((pair) => pair.split('=', 1)[0] ?? '')
    .filter((key) => key !== '');
  return `${base.slice(0, q)}?${keys.map((key) => `${key}=`).join('&')}`;
}
