import { createHash, randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { AudioChunk, Screenshot } from '@codesight/schema';

/** One media blob and the metadata row pointing at it, as the recorder stores them. */
export type MediaFixture =
  { kind: 'screenshot'; row: Screenshot; bytes: Buffer } | { kind: 'audio'; row: AudioChunk; bytes: Buffer };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian). */
function pngSize(png: Buffer): { width: number; height: number } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** A screenshot row for `png`, taken for the event `triggerSequence` of `sessionId`. */
export function screenshotFixture(
  sessionId: string,
  png: Buffer,
  triggerSequence: number,
  burstIndex: number,
  burstTotal: number,
): MediaFixture {
  const hash = sha256(png);
  const row: Screenshot = {
    id: `shot-${hash.slice(0, 16)}`,
    sessionId,
    burstId: `burst-${triggerSequence}`,
    burstIndex,
    burstTotal,
    trigger: 'click',
    triggerSequence,
    timestamp: Date.now(),
    mime: 'image/png',
    ...pngSize(png),
    bytes: png.length,
    sha256: hash,
  };
  return { kind: 'screenshot', row, bytes: png };
}

/**
 * An audio chunk row with `size` random bytes: the server checks size and hash, not the codec, and
 * random bytes make every chunk's hash distinct.
 */
export function audioFixture(sessionId: string, chunkIndex: number, size: number): MediaFixture {
  const bytes = randomBytes(size);
  const hash = sha256(bytes);
  const row: AudioChunk = {
    id: `audio-${hash.slice(0, 16)}`,
    sessionId,
    chunkIndex,
    startTime: Date.now() + chunkIndex * 10_000,
    durationMs: 10_000,
    mime: 'audio/webm;codecs=opus',
    bytes: bytes.length,
    sha256: hash,
  };
  return { kind: 'audio', row, bytes };
}

/**
 * Writes media rows and their blobs into the extension's IndexedDB from an extension page, in one
 * transaction, the way the recorder stores captured media (blob row keyed by sha256, metadata row
 * pointing at it).
 */
export async function addMediaRows(extensionPage: Page, media: MediaFixture[]): Promise<void> {
  const payload = media.map((m) => ({ kind: m.kind, row: m.row, base64: m.bytes.toString('base64') }));
  await extensionPage.evaluate(async (items) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('codesight');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('indexedDB.open(codesight) failed'));
    });
    try {
      const tx = db.transaction(['screenshots', 'audioChunks', 'blobs'], 'readwrite');
      for (const { kind, row, base64 } of items) {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        tx.objectStore('blobs').put({
          sha256: row.sha256,
          mime: row.mime,
          bytes: bytes.length,
          blob: new Blob([bytes], { type: row.mime }),
        });
        tx.objectStore(kind === 'screenshot' ? 'screenshots' : 'audioChunks').put(row);
      }
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('writing media rows failed'));
        tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
      });
    } finally {
      db.close();
    }
  }, payload);
}
