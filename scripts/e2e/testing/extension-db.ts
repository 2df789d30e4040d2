import type { Page } from 'playwright-core';

/** Every object store of the extension's IndexedDB, as plain rows. */
export type ExtensionDbDump = Record<string, unknown[]>;

/**
 * Reads the whole extension database from an extension page with the raw IndexedDB API (the test
 * cannot import the extension's Dexie instance into the page). Blobs come back as their text length.
 */
export async function dumpExtensionDb(page: Page, name = 'codesight'): Promise<ExtensionDbDump> {
  return page.evaluate(async (dbName): Promise<ExtensionDbDump> => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(dbName);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error(`indexedDB.open(${dbName}) failed`));
    });
    const out: Record<string, unknown[]> = {};
    for (const store of Array.from(db.objectStoreNames)) {
      out[store] = await new Promise<unknown[]>((resolve, reject) => {
        const req = db.transaction(store).objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error(`reading ${store} failed`));
      });
    }
    db.close();
    return JSON.parse(
      JSON.stringify(out, (_k, v: unknown) => (v instanceof Blob ? { blobBytes: v.size } : v)),
    ) as ExtensionDbDump;
  }, name);
}
