import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { MediaChunk } from '@codesight/schema';

/** A stored narration or video chunk: its row, the blob row it points at, and the blob's bytes. */
export interface StoredChunk {
  row: MediaChunk;
  /** The `blobs` row keyed by the chunk's sha256, without the blob; null when it is missing. */
  blobRow: { sha256: string; mime: string; bytes: number } | null;
  /** The blob's bytes as read back from IndexedDB (empty when the blob row is missing). */
  data: Buffer;
}

/** What the page hands back: the blob travels as a data: URL (page.evaluate cannot return a Blob). */
interface RawChunk {
  row: MediaChunk;
  blobRow: { sha256: string; mime: string; bytes: number } | null;
  dataUrl: string | null;
}

/**
 * Reads the narration (or, with `table` videoChunks, tab video) chunks of `sessionId` from the
 * extension's IndexedDB (from an extension page, with the raw IndexedDB API, through the
 * `[sessionId+chunkIndex]` index), in chunkIndex order, each with its blob's bytes.
 */
export async function readMediaChunks(
  extensionPage: Page,
  sessionId: string,
  table: 'audioChunks' | 'videoChunks' = 'audioChunks',
): Promise<StoredChunk[]> {
  // Only anonymous functions inside: tsx wraps named ones in a __name helper the page does not have.
  const raw = await extensionPage.evaluate(
    async ({ sid, table }): Promise<RawChunk[]> => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('codesight');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error ?? new Error('indexedDB.open(codesight) failed'));
      });
      try {
        const rows = await new Promise<MediaChunk[]>((resolve, reject) => {
          const req = db
            .transaction(table)
            .objectStore(table)
            .index('[sessionId+chunkIndex]')
            .getAll(IDBKeyRange.bound([sid, -Infinity], [sid, Infinity]));
          req.onsuccess = () => resolve(req.result as MediaChunk[]);
          req.onerror = () => reject(req.error ?? new Error(`reading ${table} failed`));
        });
        // A fresh transaction: the first may have committed while the rows promise settled.
        const blobStore = db.transaction('blobs').objectStore('blobs');
        const blobs = await Promise.all(
          rows.map(
            (row) =>
              new Promise<{ sha256: string; mime: string; bytes: number; blob: Blob } | undefined>(
                (resolve, reject) => {
                  const req = blobStore.get(row.sha256);
                  req.onsuccess = () =>
                    resolve(req.result as { sha256: string; mime: string; bytes: number; blob: Blob });
                  req.onerror = () => reject(req.error ?? new Error(`reading blob ${row.sha256} failed`));
                },
              ),
          ),
        );
        const dataUrls = await Promise.all(
          blobs.map((b) =>
            b
              ? new Promise<string>((resolve, reject) => {
                  const reader = new FileReader();
                  reader.onload = () => resolve(reader.result as string);
                  reader.onerror = () => reject(reader.error ?? new Error('reading a blob failed'));
                  reader.readAsDataURL(b.blob);
                })
              : Promise.resolve(null),
          ),
        );
        return rows.map((row, i) => {
          const b = blobs[i];
          return {
            row,
            blobRow: b ? { sha256: b.sha256, mime: b.mime, bytes: b.bytes } : null,
            dataUrl: dataUrls[i] ?? null,
          };
        });
      } finally {
        db.close();
      }
    },
    { sid: sessionId, table },
  );
  return raw.map(({ row, blobRow, dataUrl }) => ({
    row,
    blobRow,
    data: dataUrl === null ? Buffer.alloc(0) : Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'),
  }));
}

/** Lower-case hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The chunks' bytes back to back, in the order given (chunkIndex order from {@link readMediaChunks}). */
export function concatChunks(chunks: readonly StoredChunk[]): Buffer {
  return Buffer.concat(chunks.map((c) => c.data));
}

/**
 * Milliseconds of recording the chunks cover as the recorder saw it: from the first chunk's startTime to
 * the end (startTime + durationMs) of the last one.
 */
export function recordedSpanMs(chunks: readonly StoredChunk[]): number {
  if (chunks.length === 0) return 0;
  const last = chunks[chunks.length - 1]!.row;
  return last.startTime + last.durationMs - chunks[0]!.row.startTime;
}

/** The EBML magic (1A 45 DF A3) a WebM stream starts with: only the first chunk of a recorder run has it. */
export function startsWebmStream(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3;
}
