import {
  fail,
  MediaChunkSchema,
  ok,
  ScreenshotSchema,
  validate,
  type MediaChunk,
  type MediaTrack,
  type Failure,
  type Result,
  type Screenshot,
} from '@codesight/schema';
import type { Table } from 'dexie';
import type { AppDB } from '../db/app-db';
import { sha256Hex } from '../export/sha256';

/** A media row as the recorder knows it before the bytes are hashed: the rest is derived from them. */
export type NewMedia<Row> = Omit<Row, 'sha256' | 'bytes' | 'mime'>;

/** Why a frame or chunk was not stored. `storage_failed` covers a full disk (QuotaExceededError). */
export type StoreMediaFailure = Failure<'validation_failed' | 'storage_failed'>;

/** Stores a screenshot: its bytes in the blob table and its row, in one transaction. */
export function storeScreenshot(
  db: AppDB,
  row: NewMedia<Screenshot>,
  bytes: Uint8Array<ArrayBuffer>,
  mime: string,
): Promise<Result<Screenshot, StoreMediaFailure>> {
  const sha256 = sha256Hex(bytes);
  const checked = validate(ScreenshotSchema, { ...row, sha256, bytes: bytes.byteLength, mime });
  if (!checked.ok) return Promise.resolve(fail('validation_failed', checked.error.message));
  return storeWithBlob(db, db.screenshots, checked.value, bytes, (r) => db.screenshots.add(r));
}

/**
 * Stores one chunk of a track — narration (audioChunks) or tab video (videoChunks, numbered on its
 * own) — bytes in the blob table and row, in one transaction.
 */
export function storeMediaChunk(
  db: AppDB,
  track: MediaTrack,
  row: NewMedia<MediaChunk>,
  bytes: Uint8Array<ArrayBuffer>,
  mime: string,
): Promise<Result<MediaChunk, StoreMediaFailure>> {
  const table = track === 'narration' ? db.audioChunks : db.videoChunks;
  const sha256 = sha256Hex(bytes);
  const checked = validate(MediaChunkSchema, { ...row, sha256, bytes: bytes.byteLength, mime });
  if (!checked.ok) return Promise.resolve(fail('validation_failed', checked.error.message));
  return storeWithBlob(db, table, checked.value, bytes, (r) => table.add(r));
}

/**
 * Writes a checked media row and its bytes together: the media uploader and the exports may read a row
 * the moment it exists, so its blob must never be missing. Blobs are content-addressed, so identical
 * bytes are stored once.
 */
async function storeWithBlob<Row extends Screenshot | MediaChunk>(
  db: AppDB,
  rowTable: Table,
  row: Row,
  bytes: Uint8Array<ArrayBuffer>,
  addRow: (row: Row) => Promise<unknown>,
): Promise<Result<Row, StoreMediaFailure>> {
  try {
    await db.transaction('rw', db.blobs, rowTable, async () => {
      if ((await db.blobs.get(row.sha256)) === undefined) {
        const blob = new Blob([bytes], { type: row.mime });
        await db.blobs.add({ sha256: row.sha256, mime: row.mime, bytes: row.bytes, blob });
      }
      await addRow(row);
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message : String(error);
    return fail('storage_failed', name === 'QuotaExceededError' ? `the disk is full: ${message}` : message);
  }
  return ok(row);
}
