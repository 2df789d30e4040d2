import { LIMITS } from '@codesight/schema';
import { withDescribeScope } from './describe-scope';
import { composedParent, isShadowRoot } from './dom';
import { isSensitiveField } from './masking';
import { isInPrivateBlock, isPrivateBlockRoot } from './private-block';
import { appliedPrivacyPolicy } from './privacy-policy';
import { neighbourhoodAttributes } from './neighbourhood-attributes';
import { escapeHtml, NEIGHBOURHOOD_BOUNDS as B } from './neighbourhood-bounds';
import { maskText } from './mask-text';
import { collapseWhitespace, truncate } from './text';

export { NEIGHBOURHOOD_BOUNDS } from './neighbourhood-bounds';

/**
 * The attribute that marks the action's target in a snippet; when the target lies inside content a
 * snippet never holds (a private block, a sensitive editable region), the element standing for it.
 */
export const TARGET_MARKER = 'data-cs-target';

// Dropped with everything inside: code, styling and metadata say nothing about what the user acted on.
const DROPPED_TAGS = new Set(['script', 'style', 'noscript', 'template', 'link', 'meta', 'head', 'title', 'base']);
// Kept as an empty element: what they are matters, their content is paths, pixels, another document or
// (textarea) a default value the page may have filled with the worker's data.
const EMPTIED_TAGS = new Set([
  'svg',
  'math',
  'canvas',
  'video',
  'audio',
  'picture',
  'iframe',
  'object',
  'embed',
  'textarea',
]);
const VOID_TAGS = new Set(['area', 'br', 'col', 'embed', 'hr', 'img', 'input', 'source', 'track', 'wbr']);

// Ancestors that bound "what the target belongs to": a form, a list item or row, a card, a dialog.
const CONTAINER_TAGS = new Set(['form', 'li', 'tr', 'article', 'dialog', 'fieldset', 'details', 'figure']);
const CONTAINER_ROLES = new Set(['dialog', 'alertdialog', 'listitem', 'row', 'article', 'form', 'group', 'tabpanel']);
// Class tokens that name a card-like block on shop pages ("product-card", "result_item", "tile").
const CARD_CLASS = /(?:^|[-_])(?:card|tile|item|product|result|listing)(?:$|[-_])/i;

/**
 * The HTML of `target`'s neighbourhood, for an action's event: the nearest container around it (a form,
 * list item, row, card, dialog; else {@link NEIGHBOURHOOD_BOUNDS.levels} levels up, never `<body>`), or
 * the target itself when it is one (a submitted form),
 * serialized with `target` marked `data-cs-target`. Bounded in depth, nodes, children per element,
 * text per node and total characters ({@link LIMITS.neighbourhoodHtml}); the path from the container to
 * the target is always kept, whatever else the bounds cut. Masked like the rest of the capture: only
 * allowlisted attributes (values through `maskText`, no typed value), text through `maskText`, private
 * blocks and sensitive editable regions kept as empty elements, scripts, styles, comments and SVG
 * content dropped. Undefined for a detached target.
 */
export function neighbourhoodHtml(target: Element): string | undefined {
  if (!target.isConnected) return undefined;
  return withDescribeScope(() => serialize(target));
}

/**
 * Elements from the container (first) down to the element that stands for the target (last): the target
 * itself, or the outermost element around it whose content a snippet never holds (a private block, a
 * sensitive editable region, a sensitive select), so no element inside such content is ever on the path.
 */
function pathTo(target: Element): { path: Element[]; facts: ElementFacts[] } {
  const anchor = anchorOf(target);
  const path = [anchor];
  // A submitted form, a clicked card: the target is its own neighbourhood.
  for (let el = anchor, level = isContainer(anchor) ? B.levels : 0; level < B.levels; level++) {
    const parent = flatParent(el);
    if (!parent || parent.localName === 'body' || parent.localName === 'html') break;
    path.unshift(parent);
    if (isContainer(parent)) break;
    el = parent;
  }
  const facts = path.map((el) => factsOf(el));
  // An ancestor whose content is never written (a sensitive editable region around a clicked span)
  // stands for the target: the path ends there.
  const closed = path.findIndex((el, i) => i < path.length - 1 && !hasContent(el, facts[i]));
  return closed < 0 ? { path, facts } : { path: path.slice(0, closed + 1), facts: facts.slice(0, closed + 1) };
}

/** The target, or the outermost private block around it: an inner block's ancestors may lie in an outer one. */
function anchorOf(target: Element): Element {
  if (!isInPrivateBlock(target)) return target;
  let anchor = target;
  // Bounded by the tree's depth.
  for (let el: Element | null = target; el; el = composedParent(el)) if (isPrivateBlockRoot(el)) anchor = el;
  return anchor;
}

function isContainer(el: Element): boolean {
  if (CONTAINER_TAGS.has(el.localName)) return true;
  const role = el.getAttribute('role');
  if (role && CONTAINER_ROLES.has(role)) return true;
  const className = el.getAttribute('class');
  return className !== null && className.length <= 512 && className.split(/\s+/).some((c) => CARD_CLASS.test(c));
}

/** The parent in the flattened tree: a slotted node's slot, a shadow root's host, else the parent. */
function flatParent(node: Element): Element | null {
  const slot = node.assignedSlot;
  if (slot) return slot;
  return composedParent(node);
}

interface Walk {
  out: string;
  /** Characters promised to what must still be written: close tags of open elements, the rest of the path. */
  reserved: number;
  nodes: number;
  /** Set once something off the path did not fit: nothing more off the path is tried (only the path is written). */
  full: boolean;
  path: readonly Element[];
  pathFacts: readonly ElementFacts[];
  /** Open tags of the path, computed first so their length can be reserved. */
  pathTags: readonly string[];
}

function serialize(target: Element): string {
  const { path, facts: pathFacts } = pathTo(target);
  const last = path.length - 1;
  let pathTags = path.map((el, i) => openTag(el, pathFacts[i]!, i === last));
  const closes = pathFacts.reduce((n, facts) => n + closeTag(facts).length, 0);
  // A path of long class lists and labels can outgrow the cap alone: then its tags keep only the marker.
  if (pathTags.reduce((n, t) => n + t.length, 0) + closes > LIMITS.neighbourhoodHtml) {
    pathTags = pathFacts.map((facts, i) => `<${facts.tag}${i === last ? ` ${TARGET_MARKER}` : ''}>`);
  }
  const walk: Walk = {
    out: '',
    reserved: pathTags.reduce((n, t) => n + t.length, 0) + closes,
    nodes: 0,
    full: false,
    path,
    pathFacts,
    pathTags,
  };
  writeElement(walk, path[0]!, 0, 0);
  return walk.out;
}

/** Whether `extra` more characters fit beside everything already written or promised; the first miss ends the walk off the path. */
function fits(walk: Walk, extra: number): boolean {
  if (walk.out.length + walk.reserved + extra <= LIMITS.neighbourhoodHtml) return true;
  walk.full = true;
  return false;
}

/**
 * Writes `el` and what of its subtree fits. `pathIndex` is its index in the path when it is on it, else -1;
 * `depth` counts levels below the container.
 */
function writeElement(walk: Walk, el: Element, depth: number, pathIndex: number): void {
  const onPath = pathIndex >= 0 && walk.path[pathIndex] === el;
  let facts: ElementFacts;
  let close: string;
  if (onPath) {
    facts = walk.pathFacts[pathIndex]!;
    close = closeTag(facts);
    const tag = walk.pathTags[pathIndex]!;
    walk.reserved -= tag.length;
    walk.out += tag;
  } else {
    if (walk.full || walk.nodes >= B.nodes || depth > B.depth) return;
    const name = el.localName;
    if (DROPPED_TAGS.has(name)) return;
    facts = factsOf(el, name);
    close = closeTag(facts);
    const tag = openTag(el, facts, false);
    if (!fits(walk, tag.length + close.length)) return;
    walk.out += tag;
    walk.reserved += close.length;
  }
  walk.nodes++;
  if (hasContent(el, facts)) {
    const next = walk.path[pathIndex + 1];
    const children = onPath && next ? childrenAround(el, next) : firstChildren(el);
    for (const child of children) {
      const type = child.nodeType;
      if (type === 1) writeElement(walk, child as Element, depth + 1, child === next ? pathIndex + 1 : -1);
      else if (type === 3) writeText(walk, child.nodeValue ?? '', depth + 1);
    }
  }
  walk.out += close;
  walk.reserved -= close.length;
}

/**
 * What the walk asks of an element, read once: every DOM call from a content script crosses into the
 * page's world, and a node was asked its tag and attributes up to ten times.
 */
interface ElementFacts {
  tag: string;
  names: string[];
  /** The private-block attribute it carries, if it is a block's root. */
  block: 'data-private' | 'data-codesight-block' | undefined;
}

function factsOf(el: Element, tag = el.localName): ElementFacts {
  const names = el.getAttributeNames();
  // A root of one of the deployment's block selectors is written as ours: its own attributes may name it.
  const extra = appliedPrivacyPolicy().extraBlockSelector;
  const block = names.includes('data-private')
    ? 'data-private'
    : names.includes('data-codesight-block') || (extra !== undefined && el.matches(extra))
      ? 'data-codesight-block'
      : undefined;
  return { tag, names, block };
}

/** Whether `el`'s children may be written: not for emptied tags, private blocks and sensitive editable regions. */
function hasContent(el: Element, facts: ElementFacts = factsOf(el)): boolean {
  if (VOID_TAGS.has(facts.tag) || EMPTIED_TAGS.has(facts.tag) || facts.block) return false;
  // A select's options say what the user could choose; a sensitive one's (card expiry months) are left out.
  if (facts.tag === 'select') return !isSensitiveField(el);
  return !(isEditingHost(el, facts) && isSensitiveField(el));
}

/**
 * Whether `el` makes its subtree editable by its own attribute. Read from the attribute, not
 * `isContentEditable`, which needs up-to-date style (a recalculation after the page's click handler):
 * the host is on the path or written before anything inside it, so checking hosts is enough.
 */
function isEditingHost(el: Element, facts: ElementFacts): boolean {
  if (!facts.names.includes('contenteditable')) return false;
  return (el.getAttribute('contenteditable') ?? '').toLowerCase() !== 'false';
}

function writeText(walk: Walk, raw: string, depth: number): void {
  if (walk.full || walk.nodes >= B.nodes || depth > B.depth) return;
  const collapsed = collapseWhitespace(raw);
  if (!collapsed) return;
  // Mask before cutting, so a card number straddling the cut is still recognised.
  const masked = maskText(collapsed);
  const text = masked.length > B.textChars ? `${truncate(masked, B.textChars)}…` : masked;
  const escaped = escapeHtml(text);
  if (!fits(walk, escaped.length)) return;
  walk.out += escaped;
  walk.nodes++;
}

function openTag(el: Element, facts: ElementFacts, marked: boolean): string {
  let tag = `<${facts.tag}`;
  // Presence only: a private block's own attributes may name what it hides.
  if (facts.block) tag += ` ${facts.block}`;
  else
    for (const [name, value] of neighbourhoodAttributes(el, facts.names))
      tag += value === '' ? ` ${name}` : ` ${name}="${value}"`;
  return `${tag}${marked ? ` ${TARGET_MARKER}` : ''}>`;
}

function closeTag(facts: ElementFacts): string {
  return VOID_TAGS.has(facts.tag) ? '' : `</${facts.tag}>`;
}

/** Child nodes in the flattened tree, as visible-text walks it: an open shadow root's, or a slot's assigned nodes. */
function childSource(el: Element): { first: ChildNode | null } | { list: readonly Node[] } {
  const shadow = el.shadowRoot;
  if (isShadowRoot(shadow)) return { first: shadow.firstChild };
  if (el.localName === 'slot') {
    const assigned = (el as HTMLSlotElement).assignedNodes?.() ?? [];
    if (assigned.length > 0) return { list: assigned };
  }
  return { first: el.firstChild };
}

/** The first {@link NEIGHBOURHOOD_BOUNDS.children} children; a sibling walk, so a 3,000-child grid costs 30 steps. */
function firstChildren(el: Element): Node[] {
  const source = childSource(el);
  if ('list' in source) return source.list.slice(0, B.children);
  const out: Node[] = [];
  for (let node = source.first; node && out.length < B.children; node = node.nextSibling) out.push(node);
  return out;
}

/**
 * The path child `next` and up to {@link NEIGHBOURHOOD_BOUNDS.siblings} siblings on either side (elements
 * and text that is not blank, which a pretty-printed page puts between every two), in order.
 */
function childrenAround(el: Element, next: Element): Node[] {
  const source = childSource(el);
  if ('list' in source) {
    const at = source.list.indexOf(next);
    if (at < 0) return [next];
    return source.list.slice(Math.max(0, at - B.siblings), at + B.siblings + 1);
  }
  const before = siblingsOf(next, 'previousSibling').reverse();
  return [...before, next, ...siblingsOf(next, 'nextSibling')];
}

function siblingsOf(node: Node, direction: 'previousSibling' | 'nextSibling'): Node[] {
  const out: Node[] = [];
  let counted = 0;
  // Blank text between elements is stepped over but bounded too: twice the siblings' worth.
  for (
    let n = node[direction], steps = 0;
    n && counted < B.siblings && steps < 3 * B.siblings;
    n = n[direction], steps++
  ) {
    out.push(n);
    if (n.nodeType === 1 || (n.nodeType === 3 && /\S/.test(n.nodeValue ?? ''))) counted++;
  }
  return out;
}
