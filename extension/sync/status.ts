import type { QuarantinedBatch, SyncError } from './store';

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
