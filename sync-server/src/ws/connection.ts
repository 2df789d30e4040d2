import type { WSEvents, WSMessageReceive } from 'hono/ws';
import type WebSocket from 'ws';
import { principalLabel } from '../auth/principal';
import { errorReply } from '../protocol/protocol-context';
import { startAuthDeadline } from './authentication';
import { CLOSE } from './close-codes';
import { receiveBeforeAuth } from './connection-auth-flow';
import {
  closeConnection,
  createConnectionContext,
  refuseAuth,
  revokeConnection,
  sendReply,
  stopWork,
} from './connection-context';
import type { ConnectionDeps } from './connection-deps';
import { frameSize } from './frame-decoder';
import { createMessagePipeline } from './message-pipeline';

export type { ConnectionDeps } from './connection-deps';

// hono types the events as `MessageEvent<WSMessageReceive>` and `CloseEvent`, which do not resolve
// under Node's types (there `MessageEvent` is not generic and `CloseEvent` does not exist): read the
// two fields used through their documented shapes.

/** The frame of a message event: a string or an ArrayBuffer from the Node adapter. */
function messageDataOf(evt: unknown): WSMessageReceive {
  return (evt as { data: WSMessageReceive }).data;
}

/** The close code of a close event. */
function closeCodeOf(evt: unknown): number {
  return (evt as { code: number }).code;
}

/**
 * The cap on sockets awaiting authentication that the socket just opened from `ip` exceeds, if any (the
 * registry's counts include it). The process-wide cap bounds what unauthenticated sockets can hold
 * however many addresses they come from; the per-address one keeps one address from taking it all.
 */
function pendingAuthCapExceeded(
  deps: ConnectionDeps,
  ip: string,
): { event: string; where: string; max: number } | undefined {
  if (deps.registry.awaitingAuth() > deps.maxPendingAuth)
    return { event: 'ws_pending_auth_total_cap', where: 'on this server', max: deps.maxPendingAuth };
  if (deps.registry.awaitingAuthFrom(ip) > deps.maxPendingAuthPerIp)
    return { event: 'ws_pending_auth_cap', where: 'from this address', max: deps.maxPendingAuthPerIp };
  return undefined;
}

/**
 * WebSocket events for one connection (legacy `/ws`, `/extension-ws`). Before authentication only one
 * small text frame is read, the `authenticate` message (connection-auth-flow.ts; authentication.ts says
 * what else is held or refused: nothing is inflated or parsed for a socket without a valid key). Then
 * every frame goes through the connection's message pipeline (message-pipeline.ts: admitted, decoded,
 * queued, handled while the credential is valid). Once the connection is closing nothing more is read
 * or handled. Every handler is wrapped: a bad or hostile message costs the client an `error` reply,
 * never the server.
 */
export function createConnectionEvents(deps: ConnectionDeps, ip: string): WSEvents<unknown> {
  const conn = createConnectionContext(deps, ip);
  const { id, log } = conn;
  const clock = deps.clock;
  const pipeline = createMessagePipeline(conn);
  const replay = (frame: string) => pipeline.receive(frame, frameSize(frame));

  return {
    onOpen(_evt, context) {
      conn.ws = context;
      conn.tracked = deps.registry.add({
        id,
        ip,
        stopAccepting: () => {
          conn.accepting = false;
        },
        drain: async () => {
          await conn.authenticating;
          await pipeline.drain();
        },
        closeGoingAway: (reason) => closeConnection(conn, CLOSE.goingAway, reason),
        revoke: (message) => revokeConnection(conn, message),
        confirmCredential: (at) => conn.lease?.confirm(at),
        // The Node adapter's raw socket is a `ws` WebSocket (ping, pong, terminate).
        raw: context.raw as WebSocket | undefined,
      });
      log.info('ws_open');
      const overCap = pendingAuthCapExceeded(deps, ip);
      if (overCap) {
        log.warn(overCap.event);
        refuseAuth(
          conn,
          `too many connections awaiting authentication ${overCap.where} (at most ${overCap.max}): retry later`,
          CLOSE.tryAgainLater,
        );
        return;
      }
      conn.cancelAuthDeadline = startAuthDeadline(clock, deps.authTimeoutMs, () => {
        if (conn.phase === 'awaiting_auth' || conn.phase === 'authenticating') {
          log.info('ws_auth_timeout');
          refuseAuth(conn, `authentication timed out after ${deps.authTimeoutMs} ms`);
        }
      });
    },

    onMessage(evt, context) {
      conn.ws ??= context;
      try {
        if (conn.phase === 'closing') return;
        conn.received++;
        if (!conn.accepting) {
          sendReply(conn, errorReply('unavailable', 'server shutting down: resend this message after reconnecting'));
          return;
        }
        const data = messageDataOf(evt);
        const bytes = frameSize(data);
        if (conn.phase === 'open') pipeline.receive(data, bytes);
        else receiveBeforeAuth(conn, data, bytes, replay);
      } catch (error) {
        log.error('ws_receive_failed', { error });
      }
    },

    onClose(evt) {
      stopWork(conn);
      log.info('ws_close', {
        code: closeCodeOf(evt),
        principal: conn.principal ? principalLabel(conn.principal) : undefined,
        messages: conn.received,
        durationMs: clock.now() - conn.opened,
      });
    },

    onError(evt) {
      const error = (evt as Event & { error?: unknown }).error;
      log.warn('ws_error', { error });
    },
  };
}
