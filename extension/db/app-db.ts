import { Dexie, type EntityTable, type Table } from 'dexie';
import type {
  AudioChunk,
  MediaKind,
  MediaQuarantineCode,
  QuarantinedBatch,
  RecordedEvent,
  Screenshot,
  Session,
  SyncMeta,
  VideoChunk,
} from '@codesight/schema';

/** A media blob, content-addressed: screenshots, audio and video chunks point at it by `sha256`. */
export interface BlobRow {
  sha256: string;
  mime: string;
  bytes: number;
  blob: Blob;
}

/**
 * Delivery receipt of one captured event: a content script may resend an event whose confirmation it
 * never saw, and the receipt makes the second write a no-op instead of a duplicate.
 */
export interface ReceiptRow {
  clientId: string;
  sessionId: string;
  sequence: number;
}

/** What the sync engine knows about one session's progress on the server. */
export interface SyncStateRow {
  sessionId: string;
  /** The server holds 1..ackedThrough; only ever raised. */
  ackedThrough: number;
  closedOnServer: boolean;
  quarantine?: QuarantinedBatch;
}

/** Engine-wide bookkeeping (last sync, last error), one row under a fixed key. */
export interface SyncMetaRow extends SyncMeta {
  key: 'sync';
}

/**
 * Upload state of one screenshot or audio chunk, written by the media uploader only. No row: still to
 * upload. Kept apart from the recorder's media rows for the same reason as {@link SyncStateRow}.
 */
export interface MediaSyncRow {
  kind: MediaKind;
  /** The Screenshot / AudioChunk id. */
  id: string;
  sessionId: string;
  state: 'uploaded' | 'quarantined';
  /** Epoch ms of the upload, or of the quarantine. */
  at: number;
  /** Quarantine only: what was refused, and why. */
  sha256?: string;
  bytes?: number;
  code?: MediaQuarantineCode;
  reason?: string;
}

/** The extension's IndexedDB (extension origin: shared by background, popup and offscreen document). */
export class AppDB extends Dexie {
  sessions!: EntityTable<Session, 'id'>;
  /** Keyed by the compound [sessionId, sequence]; inserts carry both fields, so the insert type is the row. */
  events!: Table<RecordedEvent, [string, number]>;
  receipts!: EntityTable<ReceiptRow, 'clientId'>;
  screenshots!: EntityTable<Screenshot, 'id'>;
  audioChunks!: EntityTable<AudioChunk, 'id'>;
  videoChunks!: EntityTable<VideoChunk, 'id'>;
  blobs!: EntityTable<BlobRow, 'sha256'>;
  syncState!: EntityTable<SyncStateRow, 'sessionId'>;
  syncMeta!: EntityTable<SyncMetaRow, 'key'>;
  mediaSync!: Table<MediaSyncRow, [MediaKind, string]>;

  constructor(name = 'codesight') {
    super(name);
    this.version(1).stores({
      sessions: 'id, startTime, status',
      // Compound primary key: (session, sequence) is the identity of an event everywhere, and range
      // reads `between([id, a], [id, b])` are what export and sync do.
      events: '[sessionId+sequence], [sessionId+type]',
      receipts: 'clientId, sessionId',
      screenshots: 'id, sessionId, [sessionId+burstId], sha256',
      audioChunks: 'id, [sessionId+chunkIndex], sha256',
      blobs: 'sha256',
    });
    // v2: sync engine state. Kept out of the sessions table so the recorder and the engine never
    // write the same rows (each owns its own; neither can undo the other's update).
    this.version(2).stores({
      syncState: 'sessionId',
      syncMeta: 'key',
    });
    // v3: media upload state. Compound key: screenshot and audio ids are unique per kind only. `state`
    // finds the quarantined rows for the popup without reading every uploaded one.
    this.version(3).stores({
      mediaSync: '[kind+id], state, sessionId',
    });
    // v4: tab video chunks, a track of their own (own chunk numbering), stored and synced like audio.
    this.version(4).stores({
      videoChunks: 'id, [sessionId+chunkIndex], sha256',
    });
  }
}
