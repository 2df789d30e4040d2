import type {
  BatchAck,
  BatchMessage,
  ErrorMessage,
  ResumeMessage,
  ResumeState,
  SessionCloseMessage,
  SessionClosed,
} from '@codesight/schema';

/** Which transport carries sync traffic: the WebSocket, or its HTTP twin. */
export type TransportKind = 'ws' | 'http';

/** What the engine sends. */
export type SyncClientMessage = BatchMessage | ResumeMessage | SessionCloseMessage;

/** What the engine receives: every message already validated against its schema by the transport. */
export type SyncServerMessage = BatchAck | ResumeState | SessionClosed | ErrorMessage;

/** Transport lifecycle as the engine sees it. */
export type TransportState =
  | { status: 'connecting' }
  /** Ready for sync messages: for the WebSocket this means authenticated, not merely connected. */
  | { status: 'open' }
  /** Connect failed or an open connection dropped; `reason` is for status and logs. */
  | { status: 'closed'; reason: string };

/** Callbacks of one subscriber. */
export interface TransportListener {
  onState(state: TransportState): void;
  onMessage(message: SyncServerMessage): void;
}

/**
 * A connection to the sync server, injected into the engine. The WebSocket and its HTTP twin
 * (`POST /api/sync/{batch,resume,close}`, same payloads) implement the same interface.
 *
 * Contract:
 * - `connect()` starts connecting; the outcome arrives as a state change (`open` or `closed`). It is a
 *   no-op while connecting or open.
 * - `send()` only while open; a message sent otherwise is discarded (the engine's ack timeout notices).
 *   The transport encodes: batches as gzip JSON binary frames (schema `encodeCompressed`), the rest
 *   as JSON text. Inbound frames that fail validation are dropped (or the connection closed), never
 *   passed on.
 * - Messages from one connection are never delivered after that connection's `closed` state, nor
 *   after `close()`. `close()` emits nothing: the caller already knows.
 */
export interface SyncTransport {
  readonly kind: TransportKind;
  connect(): void;
  send(message: SyncClientMessage): void;
  close(reason: string): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: TransportListener): () => void;
}
