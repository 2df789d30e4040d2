/**
 * A counter per document or shadow root that changes whenever elements are added to or removed from it:
 * what lets a position computed once (an element's index among thousands of siblings) be reused by later
 * events instead of recounted. Attribute changes do not count: positions do not depend on them.
 */

interface Watch {
  observer: MutationObserver;
  version: number;
}

const watches = new WeakMap<Node, Watch>();

/**
 * The root's structure version, exact at the moment of the call: pending mutation records are taken
 * synchronously, so a page script that moves nodes and then dispatches an event in the same task is seen.
 * Undefined where MutationObserver is missing (some DOM emulations): callers then must not cache.
 */
export function structureVersion(root: Node): number | undefined {
  let watch = watches.get(root);
  if (!watch) {
    const Observer = root.ownerDocument?.defaultView?.MutationObserver ?? globalThis.MutationObserver;
    if (typeof Observer !== 'function') return undefined;
    const created: Watch = { version: 0, observer: new Observer(() => void created.version++) };
    created.observer.observe(root, { childList: true, subtree: true });
    watches.set(root, created);
    watch = created;
  }
  if (watch.observer.takeRecords().length > 0) watch.version++;
  return watch.version;
}
