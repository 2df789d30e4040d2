/**
 * Counts of a document's elements by tag or class, read from live HTMLCollections. The browser keeps a
 * collection's length until the tree (or, for classes, a class attribute) changes, but only while the
 * collection object lives: asking `getElementsByTagName` again after it was garbage-collected counts the
 * whole document anew. So the collections are kept here, per document, for the next event.
 */

type Kind = 'tag' | 'class';

// A page could make us ask for any number of class names; past this many the oldest are let go.
const MAX_KEPT_PER_DOCUMENT = 256;

const kept = new WeakMap<Document, Map<string, HTMLCollection>>();

/** How many elements of `doc` have the tag (local name) or class `name`. */
export function liveCount(doc: Document, kind: Kind, name: string): number {
  let collections = kept.get(doc);
  if (!collections) kept.set(doc, (collections = new Map<string, HTMLCollection>()));
  const key = `${kind} ${name}`;
  let collection = collections.get(key);
  if (!collection) {
    collection = kind === 'tag' ? doc.getElementsByTagName(name) : doc.getElementsByClassName(name);
    if (collections.size >= MAX_KEPT_PER_DOCUMENT) collections.delete(collections.keys().next().value!);
    collections.set(key, collection);
  }
  return collection.length;
}

/** The live collection of `doc`'s elements with the tag `name` (kept, as {@link liveCount}). */
export function liveTagCollection(doc: Document, name: string): HTMLCollection {
  liveCount(doc, 'tag', name);
  return kept.get(doc)!.get(`tag ${name}`)!;
}
