import type { AudioChunk, ErrorCode, Screenshot } from '@codesight/schema';

/** The two kinds of media the server's upload API takes (`UploadRequest.kind`). */
export type MediaKind = 'screenshot' | 'audio';

/** One media item as the recorder stored it: its metadata row (the bytes are in the blob table). */
export type MediaItem = { kind: 'screenshot'; row: Screenshot } | { kind: 'audio'; row: AudioChunk };

/** What identifies a media item across the store: ids are unique per kind, not across kinds. */
export interface MediaRef {
  kind: MediaKind;
  id: string;
  sessionId: string;
}

/** What the server holds of a session's events, from the sync engine's bookkeeping (syncState). */
export interface SessionAck {
  /** The server holds events 1..ackedThrough. */
  ackedThrough: number;
  /** The server confirmed the session complete: it holds every event. */
  closedOnServer: boolean;
}

/** Why an item was quarantined: a server error code, or a finding about the local copy. */
export type MediaQuarantineCode =
  | ErrorCode
  /** The metadata row points at a blob that is not in the blob table. */
  | 'local_blob_missing'
  /** The local bytes do not hash to the row's sha256: uploading them would store wrong content under that address. */
  | 'local_hash_mismatch'
  /** The upload target refused the bytes twice with a 4xx the server API does not describe (e.g. S3 XML). */
  | 'upload_refused';

/**
 * A media item the server refused for good, or whose local copy is unusable. Kept (with its rows), never
 * retried automatically, never dropped: the worker sees the reason and may ask for a retry.
 */
export interface MediaQuarantine extends MediaRef {
  sha256: string;
  bytes: number;
  code: MediaQuarantineCode;
  /** Human-readable reason, shown to the worker. */
  reason: string;
  /** Epoch ms. */
  at: number;
}

/**
 * What the media uploader needs from local storage. The recorder writes the media rows and blobs, the
 * sync engine the acks; the uploader only reads those and writes its own upload state, so none of the
 * three can undo another's update.
 */
export interface MediaStore {
  /** Media items neither uploaded nor quarantined, in no particular order. */
  listPending(): Promise<MediaItem[]>;
  /** Ack state of the given sessions; a session the engine has no state for is absent (nothing acked). */
  sessionAcks(sessionIds: readonly string[]): Promise<Map<string, SessionAck>>;
  /** The bytes stored under `sha256`, or undefined when there is no such blob. */
  readBlob(sha256: string): Promise<Uint8Array<ArrayBuffer> | undefined>;
  /** The server recorded the item: it stops being pending, durably (a restarted worker does not redo it). */
  markUploaded(ref: MediaRef, at: number): Promise<void>;
  /** Stops retrying the item and records why; it stops being pending. Replaces an earlier quarantine of it. */
  quarantine(entry: MediaQuarantine): Promise<void>;
  listQuarantined(): Promise<MediaQuarantine[]>;
  /** The worker asked to try again: forget quarantines (of one session, or all); resolves to how many. */
  releaseQuarantined(sessionId?: string): Promise<number>;
}

const keyOf = (ref: Pick<MediaRef, 'kind' | 'id'>): string => `${ref.kind}:${ref.id}`;

/**
 * {@link MediaStore} in memory, for tests. Also plays the recorder's part (`addScreenshot`,
 * `addAudioChunk`, `putBlob`) and the sync engine's (`setAck`). Rows and bytes are copied in and out,
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

  /** Stores an audio chunk row and, when given, its bytes under `row.sha256`. */
  addAudioChunk(row: AudioChunk, bytes?: Uint8Array): void {
    this.add({ kind: 'audio', row }, bytes);
  }

  putBlob(sha256: string, bytes: Uint8Array): void {
    this.blobs.set(sha256, new Uint8Array(bytes));
  }

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
    return this.uploaded.get(keyOf(ref));
  }

  /** Forgets every upload mark, as if they had never been persisted (a worker killed mid-write). */
  forgetUploads(): void {
    this.uploaded.clear();
  }

  async listPending(): Promise<MediaItem[]> {
    const out: MediaItem[] = [];
    for (const [key, item] of this.items) {
      if (!this.uploaded.has(key) && !this.quarantined.has(key)) out.push(structuredClone(item));
    }
    return out;
  }

  async sessionAcks(sessionIds: readonly string[]): Promise<Map<string, SessionAck>> {
    const out = new Map<string, SessionAck>();
    for (const id of sessionIds) {
      const ack = this.acks.get(id);
      if (ack) out.set(id, { ...ack });
    }
    return out;
  }

  async readBlob(sha256: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const bytes = this.blobs.get(sha256);
    return bytes ? new Uint8Array(bytes) : undefined;
  }

  async markUploaded(ref: MediaRef, at: number): Promise<void> {
    this.markUploadedCalls += 1;
    const key = keyOf(ref);
    if (!this.uploaded.has(key)) this.uploaded.set(key, at);
    this.quarantined.delete(key);
  }

  async quarantine(entry: MediaQuarantine): Promise<void> {
    this.quarantined.set(keyOf(entry), { ...entry });
  }

  async listQuarantined(): Promise<MediaQuarantine[]> {
    return [...this.quarantined.values()].map((q) => ({ ...q }));
  }

  async releaseQuarantined(sessionId?: string): Promise<number> {
    let released = 0;
    for (const [key, q] of this.quarantined) {
      if (sessionId !== undefined && q.sessionId !== sessionId) continue;
      this.quarantined.delete(key);
      released += 1;
    }
    return released;
  }

  private add(item: MediaItem, bytes: Uint8Array | undefined): void {
    const key = keyOf({ kind: item.kind, id: item.row.id });
    if (this.items.has(key)) throw new Error(`${key} exists`);
    this.items.set(key, structuredClone(item));
    if (bytes) this.putBlob(item.row.sha256, bytes);
  }
}
