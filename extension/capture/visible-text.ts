import { remembered } from './describe-scope';
import { isElement, isShadowRoot, windowOf } from './dom';
import { isPrivateBlockRoot } from './private-block';
import { collapseWhitespace, truncate } from './text';

/** Options of {@link visibleText}. */
export interface VisibleTextOptions {
  /** Stop once this many characters are collected; the result is cut to it. */
  maxChars: number;
  /** Add `alt` of images (accessible names count them, visible text does not). */
  includeAlt?: boolean;
  /** Element (besides the start element) whose subtree is left out, e.g. the control a label wraps. */
  exclude?: Element;
}

// Walking the text of <body> on every click would cost milliseconds on a big page; the walk stops after
// this many nodes. 2000 nodes cover any button, card or heading many times over.
const MAX_NODES = 2000;

// Never text: scripts, styles, metadata, and form controls, whose text content is a default value the
// page may have pre-filled with the worker's data (a textarea's content, a select's options).
const SKIPPED_TAGS = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'title',
  'meta',
  'link',
  'input',
  'textarea',
  'select',
  'iframe',
  'object',
  'embed',
  'svg',
  'canvas',
  'video',
  'audio',
]);

// Elements that flow inline: no separator between their text and their neighbours' ("$<b>12</b>" is "$12").
// Any other element boundary counts as a word break, like innerText's line breaks for blocks.
const INLINE_TAGS = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'cite',
  'code',
  'data',
  'dfn',
  'em',
  'font',
  'i',
  'kbd',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'time',
  'u',
  'var',
  'wbr',
]);

/**
 * The rendered-looking text of `el`: hidden and private subtrees, scripts and form-control contents are
 * skipped, open shadow roots and slots are followed (what the user sees), whitespace is collapsed.
 * Cheaper than `innerText` (no layout, early exit) and never includes a private block's content.
 */
export function visibleText(el: Element, options: VisibleTextOptions): string {
  return visibleTextInfo(el, options).text;
}

/** {@link visibleText}, also telling whether the walk saw all of the text (false when it stopped early). */
export function visibleTextInfo(el: Element, options: VisibleTextOptions): { text: string; complete: boolean } {
  if (options.exclude) return collectText(el, options);
  // The accessible name, the target's text and the text selector read the same element's text.
  return remembered(el, `text ${options.maxChars} ${options.includeAlt === true}`, () => collectText(el, options));
}

function collectText(el: Element, options: VisibleTextOptions): { text: string; complete: boolean } {
  const win = windowOf(el);
  const parts: string[] = [];
  // Length after whitespace collapsing (a slight overestimate), so the cut-off is in visible characters.
  let length = 0;
  let visited = 0;
  // Explicit stack of nodes still to visit, in reverse document order; `null` marks a word break.
  const stack: (Node | null)[] = childrenOf(el).reverse();
  while (stack.length > 0 && length <= options.maxChars && visited < MAX_NODES) {
    const node = stack.pop();
    if (node === undefined) break;
    if (node === null) {
      parts.push(' ');
      continue;
    }
    visited++;
    if (node.nodeType === 3) {
      const value = node.nodeValue ?? '';
      parts.push(value);
      length += value.replace(/\s+/g, ' ').length;
      continue;
    }
    if (!isElement(node) || node === options.exclude) continue;
    const tag = node.localName;
    if (options.includeAlt && (tag === 'img' || tag === 'area')) {
      const alt = node.getAttribute('alt');
      if (alt) {
        parts.push(` ${alt} `);
        length += alt.length + 2;
      }
      continue;
    }
    if (SKIPPED_TAGS.has(tag) || isPrivateBlockRoot(node) || isHidden(node, win)) continue;
    const inline = INLINE_TAGS.has(tag);
    if (!inline) stack.push(null);
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    if (!inline) stack.push(null);
  }
  const text = collapseWhitespace(parts.join(''));
  const complete = stack.every((node) => node === null) && text.length <= options.maxChars;
  return { text: truncate(text, options.maxChars), complete };
}

/** Child nodes in the flat tree: an open shadow root's content instead of the light children; slots show what is assigned. */
function childrenOf(el: Element): Node[] {
  const shadow = el.shadowRoot;
  if (isShadowRoot(shadow)) return Array.from(shadow.childNodes);
  if (el.localName === 'slot') {
    const assigned = (el as HTMLSlotElement).assignedNodes?.() ?? [];
    if (assigned.length > 0) return Array.from(assigned);
  }
  return Array.from(el.childNodes);
}

function isHidden(el: Element, win: (Window & typeof globalThis) | null): boolean {
  if (el.hasAttribute('hidden')) return true;
  if (!win) return false;
  const style = win.getComputedStyle(el);
  return style.display === 'none' || style.visibility === 'hidden' || style.visibility === 'collapse';
}
