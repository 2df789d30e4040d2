import { rootOf } from './dom';
import { remembered } from './describe-scope';
import { structureVersion } from './structure-version';

/** Where an element sits among its parent's children of the same type (local name and namespace). */
export interface SiblingPosition {
  /** 1-based, as :nth-of-type() and XPath predicates count. */
  index: number;
  /** Same-type children of the parent, `el` included. */
  count: number;
}

// Below this many children a direct count is cheaper than any cache; above it (a grid of 3,000 cards)
// counting on every click is what made the cost of a click grow with the page.
const CACHE_FROM_CHILDREN = 32;

interface ParentPositions {
  version: number;
  positions: Map<Element, SiblingPosition>;
}

const cache = new WeakMap<ParentNode, ParentPositions>();

const typeOf = (el: Element) => `${el.namespaceURI ?? ''} ${el.localName}`;

/** `el`'s position among its same-type siblings; index 1 of 1 for a detached element. */
export function siblingPosition(el: Element): SiblingPosition {
  return remembered(el, 'position', () => computePosition(el));
}

function computePosition(el: Element): SiblingPosition {
  const parent = el.parentNode;
  if (!parent) return { index: 1, count: 1 };
  // A parent already known to be big is looked up first: `childElementCount` walks every child in
  // Chromium, which is the very cost the cache avoids.
  const entry = cache.get(parent);
  if (entry) {
    const root = rootOf(el);
    const version = root ? structureVersion(root) : undefined;
    const known = version === entry.version ? entry.positions.get(el) : undefined;
    if (known) return known;
  }
  if (!hasMoreChildrenThan(parent, CACHE_FROM_CHILDREN)) return countPosition(parent, el);
  const root = rootOf(el);
  const version = root ? structureVersion(root) : undefined;
  if (version === undefined) return countPosition(parent, el);
  const fresh = { version, positions: positionsOf(parent) };
  cache.set(parent, fresh);
  return fresh.positions.get(el) ?? countPosition(parent, el);
}

/** Whether `parent` has more than `n` element children, walking at most n + 1 of them. */
function hasMoreChildrenThan(parent: ParentNode, n: number): boolean {
  let seen = 0;
  for (let child = parent.firstElementChild; child; child = child.nextElementSibling) if (++seen > n) return true;
  return false;
}

function countPosition(parent: ParentNode, el: Element): SiblingPosition {
  const { localName, namespaceURI } = el;
  let index = 0;
  let count = 0;
  for (let child = parent.firstElementChild; child; child = child.nextElementSibling) {
    if (child.localName !== localName || child.namespaceURI !== namespaceURI) continue;
    count++;
    if (child === el) index = count;
  }
  return { index, count };
}

function positionsOf(parent: ParentNode): Map<Element, SiblingPosition> {
  const byType = new Map<string, Element[]>();
  for (let child = parent.firstElementChild; child; child = child.nextElementSibling) {
    const type = typeOf(child);
    const list = byType.get(type);
    if (list) list.push(child);
    else byType.set(type, [child]);
  }
  const positions = new Map<Element, SiblingPosition>();
  for (const list of byType.values())
    list.forEach((child, i) => positions.set(child, { index: i + 1, count: list.length }));
  return positions;
}
