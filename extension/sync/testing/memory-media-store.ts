import type { AudioChunk, MediaChunk, Screenshot } from '@codesight/schema';
import {
  mediaKey,
  type ChunkKind,
  type MediaItem,
  type MediaQuarantine,
  type MediaRef,
  type MediaStore,
  type SessionAck,
} from '../media/media-store';

/**
 * {@link MediaStore} in memory, for tests. Also plays the recorder's part (`addScreenshot`, `addChunk`,
 * `putBlob`) and the sync engine's (`setAck`). Rows and bytes are copied in and out,
 * so a test cannot change stored data by accident, only on purpose (`corruptBlob`, `deleteBlob`).
 */
export class MemoryMediaStore implements MediaStore {
  private readonly items = new Map<string, MediaItem>();
  private readonly blobs = new Map<string, Uint8Array<ArrayBuffer>>();
  private readonly acks = new Map<string, SessionAck>();
  private readonly uploaded = new Map<string, number>();
  private readonly quarantined = new Map<string, MediaQuarantine>();
  /** Calls of {@link markUploaded}, including repeats for an item already marked. */
  markUploadedCalls = 0;

  /** Stores a screenshot row and, when given, its bytes under `row.sha256`. */
  addScreenshot(row: Screenshot, bytes?: Uint8Array): void {
    this.add({ kind: 'screenshot', row }, bytes);
  }

  /** Stores an audio or video chunk row and, when given, its bytes under `row.sha256`. */
  addChunk(kind: ChunkKind, row: MediaChunk, bytes?: Uint8Array): void {
    this.add({ kind, row }, bytes);
  }

  /** {@link addChunk} of an audio chunk. */
  addAudioChunk(row: AudioChunk, bytes?: Uint8Array): void {
    this.addChunk('audio', row, bytes);
  }

  /** Stores `bytes` (copied) under `sha256`, as the recorder's blob table would. */
  putBlob(sha256: string, bytes: Uint8Array): void {
    this.blobs.set(sha256, new Uint8Array(bytes));
  }

  /** Removes a blob, leaving its rows: a local copy lost (storage cleared, a failed write). */
  deleteBlob(sha256: string): void {
    this.blobs.delete(sha256);
  }

  /** Flips one bit of a stored blob (a damaged disk, a buggy writer): its hash no longer matches. */
  corruptBlob(sha256: string): void {
    const bytes = this.blobs.get(sha256);
    if (!bytes || bytes.length === 0) throw new Error(`no blob ${sha256} to corrupt`);
    bytes[0] = bytes[0]! ^ 0x01;
  }

  /** What the sync engine would record after a batch ack or a complete session close. */
  setAck(sessionId: string, ackedThrough: number, closedOnServer = false): void {
    this.acks.set(sessionId, { ackedThrough, closedOnServer });
  }

  /** Epoch ms the item was marked uploaded, or undefined. */
  uploadedAt(ref: Pick<MediaRef, 'kind' | 'id'>): number | undefined {
    return this.uploaded.get(mediaKey(ref.kind, ref.id));
  }

  /** Forgets every upload mark, as if they had never been persisted (a worker killed mid-write). */
  forgetUploads(): void {
    this.uploaded.clear();
  }

  // The MediaStore methods answer with already-settled promises: memory has nothing to wait for.

  listPending(): Promise<MediaItem[]> {
    const out: MediaItem[] = [];
    for (const [key, item] of this.items) {
      if (!this.uploaded.has(key) && !this.quarantined.has(key)) out.push(structuredClone(item));
    }
    return Promise.resolve(out);
  }

  sessionAcks(sessionIds: readonly string[]): Promise<Map<string, SessionAck>> {
    const out = new Map<string, SessionAck>();
    for (const id of sessionIds) {
      const ack = this.acks.get(id);
      if (ack) out.set(id, { ...ack });
    }
    return Promise.resolve(out);
  }

  readBlob(sha256: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const bytes = this.blobs.get(sha256);
    return Promise.resolve(bytes ? new Uint8Array(bytes) : undefined);
  }

  markUploaded(ref: MediaRef, at: number): Promise<void> {
    this.markUploadedCalls += 1;
    const key = mediaKey(ref.kind, ref.id);
    if (!this.uploaded.has(key)) this.uploaded.set(key, at);
    this.quarantined.delete(key);
    return Promise.resolve();
  }

  quarantine(entry: MediaQuarantine): Promise<void> {
    this.quarantined.set(mediaKey(entry.kind, entry.id), { ...entry });
    return Promise.resolve();
  }

  listQuarantined(): Promise<MediaQuarantine[]> {
    return Promise.resolve([...this.quarantined.values()].map((q) => ({ ...q })));
  }

  releaseQuarantined(sessionId?: string): Promise<number> {
    let released = 0;
    for (const [key, q] of this.quarantined) {
      if (sessionId !== undefined && q.sessionId !== sessionId) continue;
      this.quarantined.delete(key);
      released += 1;
    }
    return Promise.resolve(released);
  }

  private add(item: MediaItem, bytes: Uint8Array | undefined): void {
    const key = mediaKey(item.kind, item.row.id);
    if (this.items.has(key)) throw new Error(`${key} exists`);
    this.items.set(key, structuredClone(item));
    if (bytes) this.putBlob(item.row.sha256, bytes);
  }
}
