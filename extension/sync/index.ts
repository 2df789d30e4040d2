/**
 * The sync engine: pushes locally stored events to the server at least once, stored exactly once
 * (the server is idempotent), whatever the network does. Pure: storage and transports are injected
 * (store.ts, transport.ts); time and randomness too. Test doubles (memory store, fake server and
 * transports, fake clock, the SyncWorld simulation, the store contract suite) are imported by path.
 */
export { createSyncEngine } from './engine/engine';
export {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_WINDOW,
  MAX_INCOMPLETE_CLOSES,
} from './engine/engine-types';
export type { KickReason, SyncEngine, SyncEngineOptions } from './engine/engine-types';
export type { ConnectionStatus, QuarantineStatus, SyncStatus } from './engine/status';
export type { PendingSession, QuarantineCode, QuarantinedBatch, SyncError, SyncMeta, SyncStore } from './store/store';
export type {
  SyncClientMessage,
  SyncServerMessage,
  SyncTransport,
  TransportKind,
  TransportListener,
  TransportState,
} from './transport/transport';
export { DEFAULT_BATCH_LIMITS, estimateEventBytes, nextBatch } from './engine/batcher';
export type { BatchLimits, BatchSlice } from './engine/batcher';
export { backoffDelay, DEFAULT_BACKOFF } from './engine/backoff';
export type { BackoffOptions } from './engine/backoff';
export {
  DEFAULT_TRANSPORT_POLICY,
  initialTransportPolicy,
  nextProbeAt,
  nextTransportPolicy,
} from './engine/transport-policy';
export type { TransportEvent, TransportPolicyOptions, TransportPolicyState } from './engine/transport-policy';
export { BISECTABLE_CODES, classifyRefusal, isPermanentError } from './engine/refusals';
export type { RefusalAction } from './engine/refusals';
