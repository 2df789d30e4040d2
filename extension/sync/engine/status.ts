import type { Link } from './connection';
import type { SessionSync } from './session-sync';
import type { QuarantinedBatch, SyncError, SyncMeta } from '../store/store';

/**
 * `live`: WebSocket open and resumed. `fallback-http`: the HTTP twin carries the traffic. `connecting`:
 * a connection is being opened or resumed. `offline`: no connection, waiting to retry (or stopped).
 */
export type ConnectionStatus = 'live' | 'fallback-http' | 'offline' | 'connecting';

/** A quarantine as the popup shows it. */
export interface QuarantineStatus extends QuarantinedBatch {
  /** Events of the session that cannot reach the server until the worker acts (the refused ones and all later). */
  blockedEvents: number;
}

/** What the popup shows about sync. */
export interface SyncStatus {
  connection: ConnectionStatus;
  /** Events written locally and not yet acked, over all sessions (quarantined ones included). */
  pendingEvents: number;
  /** Rough uncompressed size of those events, from the average size of events sent so far. */
  pendingBytes: number;
  /** Epoch ms of the last batch ack. */
  lastSyncAt?: number;
  /** The most recent error, kept after recovery; compare `at` with `lastSyncAt` to tell if it is current. */
  lastError?: SyncError;
  quarantined: QuarantineStatus[];
}

/** Structural equality, so subscribers are only told about real changes. */
export function sameStatus(a: SyncStatus, b: SyncStatus): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What {@link computeStatus} reads from the engine. */
export interface StatusInputs {
  link: Link | undefined;
  sessions: Iterable<SessionSync>;
  quarantined: Iterable<QuarantinedBatch>;
  meta: SyncMeta;
  avgEventBytes: number;
}

/** The popup's view of the engine's state. */
export function computeStatus({ link, sessions, quarantined, meta, avgEventBytes }: StatusInputs): SyncStatus {
  const connection: ConnectionStatus = !link
    ? 'offline'
    : link.phase !== 'ready'
      ? 'connecting'
      : link.kind === 'ws'
        ? 'live'
        : 'fallback-http';
  let pendingEvents = 0;
  const eventCounts = new Map<string, number>();
  for (const s of sessions) {
    pendingEvents += Math.max(0, s.eventCount - s.acked);
    eventCounts.set(s.id, s.eventCount);
  }
  const status: SyncStatus = {
    connection,
    pendingEvents,
    pendingBytes: Math.round(pendingEvents * avgEventBytes),
    quarantined: [...quarantined].map((q) => ({
      ...q,
      blockedEvents: Math.max(0, (eventCounts.get(q.sessionId) ?? q.lastSequence) - q.firstSequence + 1),
    })),
  };
  if (meta.lastSyncAt !== undefined) status.lastSyncAt = meta.lastSyncAt;
  if (meta.lastError !== undefined) status.lastError = meta.lastError;
  return status;
}
