import type { Page } from 'playwright-core';

/** One row of the extension's content-addressed `blobs` table, with the blob's bytes. */
export interface StoredBlob {
  sha256: string;
  mime: string;
  /** The size the row records. */
  bytes: number;
  /** The bytes actually read back from the blob. */
  data: Buffer;
}

/**
 * Reads every row of the extension's `blobs` table with its bytes, from an extension page (raw
 * IndexedDB API; the blob travels as a data: URL since page.evaluate cannot return a Blob). Keyed by
 * sha256. For test-sized databases: everything is held in memory.
 */
export async function readExtensionBlobs(extensionPage: Page): Promise<Map<string, StoredBlob>> {
  // Only anonymous functions inside: tsx wraps named ones in a __name helper the page does not have.
  const rows = await extensionPage.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('codesight');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('indexedDB.open(codesight) failed'));
    });
    try {
      const all = await new Promise<{ sha256: string; mime: string; bytes: number; blob: Blob }[]>(
        (resolve, reject) => {
          const req = db.transaction('blobs').objectStore('blobs').getAll();
          req.onsuccess = () => resolve(req.result as { sha256: string; mime: string; bytes: number; blob: Blob }[]);
          req.onerror = () => reject(req.error ?? new Error('reading blobs failed'));
        },
      );
      return Promise.all(
        all.map(
          (row) =>
            new Promise<{ sha256: string; mime: string; bytes: number; dataUrl: string }>((resolve, reject) => {
              const reader = new FileReader();
              reader.onload = () =>
                resolve({ sha256: row.sha256, mime: row.mime, bytes: row.bytes, dataUrl: reader.result as string });
              reader.onerror = () => reject(reader.error ?? new Error(`reading blob ${row.sha256} failed`));
              reader.readAsDataURL(row.blob);
            }),
        ),
      );
    } finally {
      db.close();
    }
  });
  return new Map(
    rows.map(({ sha256, mime, bytes, dataUrl }) => [
      sha256,
      { sha256, mime, bytes, data: Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64') },
    ]),
  );
}
