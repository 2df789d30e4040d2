import type { AppDB, MediaSyncRow } from '../../db/app-db';
import {
  mediaKey,
  type MediaKind,
  type MediaItem,
  type MediaQuarantine,
  type MediaRef,
  type MediaStore,
  type SessionAck,
} from './media-store';

/** The recorder's table of each media kind: a kind's ids are unique in its own table only. */
const MEDIA_TABLES = {
  screenshot: 'screenshots',
  audio: 'audioChunks',
  video: 'videoChunks',
} as const satisfies Record<MediaKind, keyof AppDB>;

function toQuarantine(row: MediaSyncRow): MediaQuarantine {
  return {
    kind: row.kind,
    id: row.id,
    sessionId: row.sessionId,
    sha256: row.sha256 ?? '',
    bytes: row.bytes ?? 0,
    code: row.code ?? 'internal',
    reason: row.reason ?? '',
    at: row.at,
  };
}

/**
 * The media uploader's store over the extension's IndexedDB: reads the recorder's `screenshots`,
 * `audioChunks`, `videoChunks` and `blobs` and the engine's `syncState`; writes only its own `mediaSync` rows.
 */
export class DexieMediaStore implements MediaStore {
  constructor(private readonly db: AppDB) {}

  async listPending(): Promise<MediaItem[]> {
    const { mediaSync, screenshots, audioChunks, videoChunks } = this.db;
    // One read transaction, so a row cannot be missed between the reads. Every media row is read:
    // "no mediaSync row" cannot be indexed, and metadata rows are small (a day of recording is a few
    // thousand of them, read in tens of milliseconds).
    return this.db.transaction('r', [mediaSync, screenshots, audioChunks, videoChunks], async () => {
      const done = new Set((await mediaSync.toCollection().primaryKeys()).map(([kind, id]) => mediaKey(kind, id)));
      const [shots, audio, video] = await Promise.all([
        screenshots.toArray(),
        audioChunks.toArray(),
        videoChunks.toArray(),
      ]);
      const pending: MediaItem[] = [];
      for (const row of shots) if (!done.has(mediaKey('screenshot', row.id))) pending.push({ kind: 'screenshot', row });
      for (const [kind, rows] of [
        ['audio', audio],
        ['video', video],
      ] as const) {
        for (const row of rows) if (!done.has(mediaKey(kind, row.id))) pending.push({ kind, row });
      }
      return pending;
    });
  }

  async sessionAcks(sessionIds: readonly string[]): Promise<Map<string, SessionAck>> {
    const rows = await this.db.syncState.bulkGet([...sessionIds]);
    const acks = new Map<string, SessionAck>();
    for (const row of rows) {
      if (row) acks.set(row.sessionId, { ackedThrough: row.ackedThrough, closedOnServer: row.closedOnServer });
    }
    return acks;
  }

  async readBlob(sha256: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const row = await this.db.blobs.get(sha256);
    return row ? new Uint8Array(await row.blob.arrayBuffer()) : undefined;
  }

  async markUploaded(ref: MediaRef, at: number): Promise<void> {
    await this.writeIfStillStored(ref, async () => {
      const existing = await this.db.mediaSync.get([ref.kind, ref.id]);
      // The first upload time stays: a repeat (after a lost mark) changes nothing.
      if (existing?.state === 'uploaded') return;
      await this.db.mediaSync.put({ kind: ref.kind, id: ref.id, sessionId: ref.sessionId, state: 'uploaded', at });
    });
  }

  async quarantine(entry: MediaQuarantine): Promise<void> {
    await this.writeIfStillStored(entry, () => this.db.mediaSync.put({ ...entry, state: 'quarantined' }));
  }

  async listQuarantined(): Promise<MediaQuarantine[]> {
    return (await this.db.mediaSync.where('state').equals('quarantined').toArray()).map(toQuarantine);
  }

  /**
   * Runs `write` only if the media row still exists: the worker may delete a session while its media
   * are uploading, and a late mark (or a "blob missing" quarantine caused by the deletion itself) must
   * not leave an orphan row behind, shown to the worker as a problem.
   */
  private writeIfStillStored(ref: Pick<MediaRef, 'kind' | 'id'>, write: () => Promise<unknown>): Promise<void> {
    const table = this.db[MEDIA_TABLES[ref.kind]];
    return this.db.transaction('rw', [this.db.mediaSync, table], async () => {
      if ((await table.where('id').equals(ref.id).count()) === 0) return;
      await write();
    });
  }

  releaseQuarantined(sessionId?: string): Promise<number> {
    const quarantined = this.db.mediaSync.where('state').equals('quarantined');
    return (sessionId === undefined ? quarantined : quarantined.filter((row) => row.sessionId === sessionId)).delete();
  }
}
