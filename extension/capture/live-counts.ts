/**
 * Counts of a document's elements by tag, read from live HTMLCollections. The browser keeps a tag
 * collection's length until elements come or go (class and attribute changes do not touch it), but only
 * while the collection object lives: asking `getElementsByTagName` again after it was garbage-collected
 * counts the whole document anew. So the collections are kept here, per document, for the next event.
 * Not classes: a class collection is recounted after any class change in the page (0.9 ms on 57k nodes,
 * after every click of a page that marks what was clicked).
 */

// A page could make us ask for any number of tag names (custom elements); past this many the oldest go.
const MAX_KEPT_PER_DOCUMENT = 256;

const kept = new WeakMap<Document, Map<string, HTMLCollection>>();

/** The live collection of `doc`'s elements with the tag (local name) `name`, kept for later events. */
export function liveTagCollection(doc: Document, name: string): HTMLCollection {
  let collections = kept.get(doc);
  if (!collections) kept.set(doc, (collections = new Map<string, HTMLCollection>()));
  let collection = collections.get(name);
  if (!collection) {
    collection = doc.getElementsByTagName(name);
    if (collections.size >= MAX_KEPT_PER_DOCUMENT) collections.delete(collections.keys().next().value!);
    collections.set(name, collection);
  }
  return collection;
}
