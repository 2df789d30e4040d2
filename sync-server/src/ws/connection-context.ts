import { randomUUID } from 'node:crypto';
import type { WSContext } from 'hono/ws';
import type { Principal } from '../auth/principal';
import type { Logger } from '../log';
import type { Reply } from '../protocol/protocol-context';
import { CLOSE } from './close-codes';
import type { ConnectionDeps } from './connection-deps';
import type { TrackedConnection } from './connection-registry';
import type { CredentialLease } from './credential-lease';

/** Where a connection is: before `authenticate`, while its credential is looked up, open, or done. */
export type ConnectionPhase = 'awaiting_auth' | 'authenticating' | 'open' | 'closing';

/**
 * The state of one connection, shared by the modules that handle its phases (connection-auth-flow.ts
 * before the credential is accepted, message-pipeline.ts after). Mutable on purpose: handlers await,
 * and each must see what happened meanwhile (a close, a revocation).
 */
export interface ConnectionContext {
  readonly id: string;
  readonly ip: string;
  readonly deps: ConnectionDeps;
  readonly log: Logger;
  /** Epoch ms the connection opened. */
  readonly opened: number;
  phase: ConnectionPhase;
  principal: Principal | undefined;
  lease: CredentialLease | undefined;
  ws: WSContext<unknown> | undefined;
  tracked: TrackedConnection | undefined;
  cancelAuthDeadline: (() => void) | undefined;
  cancelExpiry: (() => void) | undefined;
  /** Text frames an old client sent behind `authenticate` before the answer: held unread. */
  held: string[];
  heldBytes: number;
  /** False once shutdown began: new messages are answered `unavailable`. */
  accepting: boolean;
  /** The `authenticate` lookup while it runs: shutdown waits for it and the frames held behind it. */
  authenticating: Promise<void> | undefined;
  /** Frames received, for the close log. */
  received: number;
}

/** A new connection from `ip`, awaiting `authenticate`. */
export function createConnectionContext(deps: ConnectionDeps, ip: string): ConnectionContext {
  const id = randomUUID();
  return {
    id,
    ip,
    deps,
    log: deps.logger.child({ connectionId: id, ip }),
    opened: deps.clock.now(),
    phase: 'awaiting_auth',
    principal: undefined,
    lease: undefined,
    ws: undefined,
    tracked: undefined,
    cancelAuthDeadline: undefined,
    cancelExpiry: undefined,
    held: [],
    heldBytes: 0,
    accepting: true,
    authenticating: undefined,
    received: 0,
  };
}

/** A function, not a comparison at the use site: the phase changes while handlers await. */
export function isClosing(conn: ConnectionContext): boolean {
  return conn.phase === 'closing';
}

/** Sends `message` if the socket is still open; a failed send is logged, never thrown. */
export function sendReply(conn: ConnectionContext, message: Reply): void {
  const { ws } = conn;
  if (!ws || ws.readyState !== 1) return;
  try {
    ws.send(JSON.stringify(message));
  } catch (error) {
    conn.log.warn('ws_send_failed', { error });
  }
}

/** Stops all work of the connection: held frames are dropped unread, timers cancelled, its registry slot freed. */
export function stopWork(conn: ConnectionContext): void {
  conn.phase = 'closing';
  conn.held = [];
  conn.cancelAuthDeadline?.();
  conn.cancelExpiry?.();
  // A closing socket is no longer awaiting authentication nor using its key's slot.
  conn.deps.registry.remove(conn.id);
}

/** Stops the connection's work (queued frames are dropped when their turn comes) and closes the socket. */
export function closeConnection(conn: ConnectionContext, code: number, reason: string): void {
  if (isClosing(conn)) return;
  stopWork(conn);
  try {
    conn.ws?.close(code, reason);
  } catch (error) {
    conn.log.warn('ws_close_failed', { error });
  }
}

/** Answers `authentication_failed` and closes: 4401 (the credential), or `code` (a cap, a failure). */
export function refuseAuth(conn: ConnectionContext, message: string, code: number = CLOSE.unauthorized): void {
  sendReply(conn, { type: 'authentication_failed', message });
  closeConnection(conn, code, message.slice(0, 120));
}

/** The credential of an open connection stopped being valid (revoked key, disabled worker, expired token). */
export function revokeConnection(conn: ConnectionContext, message: string): void {
  if (conn.phase !== 'open') return;
  conn.log.info('ws_credential_revoked', { reason: message });
  refuseAuth(conn, message);
}
