import { rootOf } from './dom';
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

// Positions asked again while one element is described (the CSS selector, the path that excludes the
// element in uniqueness checks, the XPath: three walks up the same ancestors). No page code runs during
// a description, so they cannot change; between two, a page may move nodes, even within one task.
let described: Map<Element, SiblingPosition> | undefined;

/** Runs `describe` with sibling positions remembered for its duration only. */
export function withSiblingPositions<T>(describe: () => T): T {
  if (described) return describe();
  described = new Map();
  try {
    return describe();
  } finally {
    described = undefined;
  }
}

/** `el`'s position among its same-type siblings; index 1 of 1 for a detached element. */
export function siblingPosition(el: Element): SiblingPosition {
  if (!described) return computePosition(el);
  let position = described.get(el);
  if (!position) described.set(el, (position = computePosition(el)));
  return position;
}

function computePosition(el: Element): SiblingPosition {
  const parent = el.parentNode;
  if (!parent) return { index: 1, count: 1 };
  if (parent.childElementCount <= CACHE_FROM_CHILDREN) return countPosition(parent, el);
  const root = rootOf(el);
  const version = root ? structureVersion(root) : undefined;
  if (version === undefined) return countPosition(parent, el);
  let entry = cache.get(parent);
  if (!entry || entry.version !== version) {
    entry = { version, positions: positionsOf(parent) };
    cache.set(parent, entry);
  }
  return entry.positions.get(el) ?? countPosition(parent, el);
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
