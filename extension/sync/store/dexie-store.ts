import { systemClock, type Clock, type RecordedEvent } from '@codesight/schema';
import type { AppDB, SyncStateRow } from '../../db';
import type { PendingSession, QuarantinedBatch, SyncMeta, SyncStore } from './store';

/** Choices of the {@link DexieSyncStore} beyond its database. */
export interface DexieSyncStoreOptions {
  /** Read when a session closes complete on the server: true deletes its events locally (setting `pruneSyncedData`). */
  pruneWhenClosed?: () => boolean | Promise<boolean>;
  /** Stamps `prunedAt`; the system clock by default. */
  clock?: Clock;
}

/**
 * The sync engine's store over the extension's IndexedDB. Events and sessions are read, never written,
 * except that a session confirmed complete on the server may have its events pruned when the worker
 * chose so.
 */
export class DexieSyncStore implements SyncStore {
  constructor(
    private readonly db: AppDB,
    private readonly options: DexieSyncStoreOptions = {},
  ) {}

  async listPendingSessions(): Promise<PendingSession[]> {
    const [sessions, states] = await Promise.all([this.db.sessions.toArray(), this.db.syncState.toArray()]);
    const stateOf = new Map(states.map((s) => [s.sessionId, s]));
    const pending: PendingSession[] = [];
    for (const session of sessions) {
      const state = stateOf.get(session.id);
      const ackedThrough = state?.ackedThrough ?? 0;
      const ended = session.status === 'stopped';
      const closedOnServer = state?.closedOnServer ?? false;
      if (ackedThrough >= session.eventCount && (!ended || closedOnServer)) continue;
      pending.push({
        sessionId: session.id,
        eventCount: session.eventCount,
        ackedThrough,
        ended,
        endTime: session.endTime,
        closedOnServer,
        meta: {
          startTime: session.startTime,
          userAgent: session.userAgent,
          extensionVersion: session.extensionVersion,
          maskingPolicy: session.maskingPolicy,
        },
        ...(session.maskCountsByLocation ? { maskCounts: session.maskCountsByLocation } : {}),
      });
    }
    return pending;
  }

  readEvents(sessionId: string, fromSequence: number, toSequence: number, limit: number): Promise<RecordedEvent[]> {
    return this.db.events
      .where('[sessionId+sequence]')
      .between([sessionId, fromSequence], [sessionId, toSequence], true, true)
      .limit(limit)
      .toArray();
  }

  setAckedThrough(sessionId: string, ackedThrough: number): Promise<number> {
    return this.db.transaction('rw', this.db.syncState, async () => {
      const row = await this.state(sessionId);
      if (ackedThrough > row.ackedThrough) await this.db.syncState.put({ ...row, ackedThrough });
      return Math.max(row.ackedThrough, ackedThrough);
    });
  }

  async markClosedOnServer(sessionId: string): Promise<void> {
    await this.update(sessionId, (row) => ({ ...row, closedOnServer: true }));
    if (await this.options.pruneWhenClosed?.()) await this.prune(sessionId);
  }

  /** Deletes a completed session's events (the session row, delivery records and sync state stay). */
  private prune(sessionId: string): Promise<void> {
    return this.db.transaction('rw', this.db.sessions, this.db.events, async () => {
      const session = await this.db.sessions.get(sessionId);
      if (!session || session.status !== 'stopped') return;
      await this.db.events
        .where('[sessionId+sequence]')
        .between([sessionId, 1], [sessionId, session.eventCount], true, true)
        .delete();
      await this.db.sessions.update(sessionId, { prunedAt: (this.options.clock ?? systemClock).now() });
    });
  }

  addQuarantine(entry: QuarantinedBatch): Promise<void> {
    return this.update(entry.sessionId, (row) => ({ ...row, quarantine: entry }));
  }

  removeQuarantine(sessionId: string): Promise<void> {
    return this.update(sessionId, ({ quarantine: _dropped, ...row }) => row);
  }

  async listQuarantine(): Promise<QuarantinedBatch[]> {
    return (await this.db.syncState.toArray()).flatMap((row) => (row.quarantine ? [row.quarantine] : []));
  }

  async loadSyncMeta(): Promise<SyncMeta> {
    const { key: _key, ...meta } = (await this.db.syncMeta.get('sync')) ?? { key: 'sync' };
    return meta;
  }

  async saveSyncMeta(meta: SyncMeta): Promise<void> {
    await this.db.syncMeta.put({ ...meta, key: 'sync' });
  }

  private async state(sessionId: string): Promise<SyncStateRow> {
    return (await this.db.syncState.get(sessionId)) ?? { sessionId, ackedThrough: 0, closedOnServer: false };
  }

  private update(sessionId: string, change: (row: SyncStateRow) => SyncStateRow): Promise<void> {
    return this.db.transaction('rw', this.db.syncState, async () => {
      await this.db.syncState.put(change(await this.state(sessionId)));
    });
  }
}
