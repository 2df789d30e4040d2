/**
 * The sync engine: pushes locally stored events to the server at least once, stored exactly once
 * (the server is idempotent), whatever the network does. Pure: storage and transports are injected
 * (store.ts, transport.ts); time and randomness too. Test doubles (memory store, fake server and
 * transports, fake clock, the SyncWorld simulation, the store contract suite) are imported by path.
 */
export { createSyncEngine } from './engine';
export { DEFAULT_ACK_TIMEOUT_MS, DEFAULT_POLL_INTERVAL_MS, DEFAULT_WINDOW, MAX_INCOMPLETE_CLOSES } from './sync-engine';
export type { KickReason, SyncEngine, SyncEngineOptions } from './sync-engine';
export type { ConnectionStatus, QuarantineStatus, SyncStatus } from './status';
export type { PendingSession, QuarantineCode, QuarantinedBatch, SyncError, SyncMeta, SyncStore } from './store';
export type { SyncClientMessage, SyncServerMessage, SyncTransport, TransportListener, TransportState } from './transport';
export { DEFAULT_BATCH_LIMITS, estimateEventBytes, nextBatch } from './batcher';
export type { BatchLimits, BatchSlice } from './batcher';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff';
export type { BackoffOptions } from './backoff';
export { DEFAULT_TRANSPORT_POLICY, TransportPolicy } from './transport-policy';
export type { TransportKind, TransportPolicyOptions } from './transport-policy';
export { BISECTABLE_CODES, classifyRefusal, isPermanentError } from './refusals';
export type { RefusalAction } from './refusals';
export { systemClock } from './clock';
export type { Clock, TimerHandle } from './clock';
