import { Dexie, type EntityTable, type Table } from 'dexie';
import { clientIdSource } from '@codesight/schema';
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
 * Delivery record of the captured events one write stored for one session from one source (a page's
 * content script, see `clientIdCounter`): a content script may resend an event whose confirmation it
 * never saw, and the record makes that repeat a no-op instead of a duplicate. One row per write, not per
 * event, indexed by source only: storing a batch costs one small extra record, and a repeat is looked
 * up among its own page's records (docs/performance.md).
 */
export interface DeliveryRow {
  /** `<sessionId>:<firstSequence>`. */
  id: string;
  sessionId: string;
  source: string;
  /** In sequence order: `clientIds[i]` was stored as `firstSequence + i`. */
  clientIds: string[];
  firstSequence: number;
}

/** The version-1 to -4 receipt rows, one per event; read once by the v5 upgrade, then dropped. */
interface LegacyReceiptRow {
  clientId: string;
  sessionId: string;
  sequence: number;
}

/** Longest delivery row the v5 upgrade writes from old receipts (a normal write has ≤ 200 ids). */
const MIGRATED_DELIVERY_IDS = 1_000;

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
  deliveries!: EntityTable<DeliveryRow, 'id'>;
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
    // v5: one delivery row per write instead of one receipt per event. The old receipts become delivery
    // rows (runs of consecutive sequences), so a parked resend drained after the update is still a no-op;
    // v6 drops the receipts table once nothing reads it.
    this.version(5)
      .stores({ deliveries: 'id, source, sessionId' })
      .upgrade(async (tx) => {
        const receipts = await tx.table<LegacyReceiptRow>('receipts').toArray();
        await tx.table<DeliveryRow>('deliveries').bulkAdd(deliveriesFromReceipts(receipts));
      });
    this.version(6).stores({ receipts: null });
  }
}

/** Groups per-event receipts into delivery rows: one per run of consecutive sequences of a session and source. */
export function deliveriesFromReceipts(receipts: readonly LegacyReceiptRow[]): DeliveryRow[] {
  const sorted = [...receipts].sort((a, b) =>
    a.sessionId === b.sessionId ? a.sequence - b.sequence : a.sessionId < b.sessionId ? -1 : 1,
  );
  const rows: DeliveryRow[] = [];
  let current: DeliveryRow | undefined;
  for (const r of sorted) {
    const extends_ =
      current !== undefined &&
      current.sessionId === r.sessionId &&
      current.source === clientIdSource(r.clientId) &&
      current.firstSequence + current.clientIds.length === r.sequence &&
      current.clientIds.length < MIGRATED_DELIVERY_IDS;
    if (extends_) current!.clientIds.push(r.clientId);
    else {
      current = {
        id: `${r.sessionId}:${r.sequence}`,
        sessionId: r.sessionId,
        source: clientIdSource(r.clientId),
        clientIds: [r.clientId],
        firstSequence: r.sequence,
      };
      rows.push(current);
    }
  }
  return rows;
}
