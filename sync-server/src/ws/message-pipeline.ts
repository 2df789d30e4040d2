import type { WSMessageReceive } from 'hono/ws';
import { principalBucket } from '../http/rate-limit-keys';
import { protocolOfMessage } from '../protocol/dispatch';
import { errorReply } from '../protocol/protocol-context';
import type { Refusal } from '../refusal';
import { CLOSE } from './close-codes';
import { closeConnection, isClosing, revokeConnection, sendReply, type ConnectionContext } from './connection-context';
import { admitFrame } from './frame-admission';
import { decodeFrame, jsonBytesOf, type FrameDecoding } from './frame-decoder';
import { routeFrame } from './frame-route';
import { createMessageQueues } from './message-queues';
import { internalErrorReply, replyToMessage } from './message-reply';

/**
 * Bound on decoded-but-not-yet-handled JSON per socket. Frames are decoded on arrival so that inflating
 * and parsing the next batch overlaps the database work of the current one; past this bound a frame is
 * kept compressed and decoded when its turn comes (the parsed objects take a few times this in heap).
 */
const MAX_QUEUED_INFLATED_BYTES = 64 * 1024 * 1024;

/** The frames of an authenticated connection, from arrival to reply. */
export interface MessagePipeline {
  /**
   * Admits or refuses a frame (the principal's rate limit, the in-flight bound), and queues it. Frames
   * held before authentication come through here too, once the key is accepted.
   */
  receive(data: WSMessageReceive, bytes: number): void;
  /** Resolves once everything queued is handled (or dropped, when the connection closed). */
  drain(): Promise<void>;
}

/**
 * The pipeline of one connection: every frame is admitted or refused (frame-admission.ts), decoded and
 * queued (message-queues.ts says in which order replies come back), and handled while the credential
 * is still valid (credential-lease.ts bounds how old a check a message may rely on; a revoked one
 * closes the socket). Once the connection is closing, what is still queued is dropped unread.
 */
export function createMessagePipeline(conn: ConnectionContext): MessagePipeline {
  const { deps, log } = conn;
  let strikes = 0;
  let queuedBytes = 0;
  let queuedInflatedBytes = 0;
  const queues = createMessageQueues((error: unknown) => log.error('ws_handler_failed', { error }));

  // performance.now(), not the injected clock: latency needs sub-millisecond, monotonic time, and no
  // test steers it.
  const handle = async (data: WSMessageReceive, bytes: number, arrived: number, decoded?: FrameDecoding) => {
    try {
      const { principal, lease } = conn;
      // Closing (refused, revoked, flooding, gone): what is still queued is dropped unread.
      if (isClosing(conn) || !principal || !lease) return;
      const decoding = decoded ?? decodeFrame(data, deps.maxInflatedBytes);
      if (!decoding.ok) {
        sendReply(conn, errorReply(decoding.error.code, decoding.error.message));
        return;
      }
      const { message } = decoding.value;
      if (message.type === 'authenticate') {
        sendReply(conn, errorReply('bad_request', 'already authenticated'));
        return;
      }
      const credential = await lease.check();
      if (credential === 'revoked') {
        revokeConnection(
          conn,
          principal.kind === 'admin' ? 'admin token expired' : 'API key revoked or worker disabled',
        );
      }
      if (isClosing(conn)) return; // revoked while this message waited: it is not stored
      if (credential === 'unknown') {
        sendReply(conn, internalErrorReply(message, 'the server could not re-check the credential; retry later'));
        return;
      }
      const protocol = protocolOfMessage(message.type);
      if (protocol) conn.tracked?.setProtocol(protocol);
      sendReply(conn, await replyToMessage(deps.handleMessage, principal, message, log));
      deps.observer?.answered(message.type, (performance.now() - arrived) / 1000);
    } finally {
      queuedBytes -= bytes;
      if (decoded) queuedInflatedBytes -= jsonBytesOf(decoded);
    }
  };

  /** Sends `error` after everything received before it, so it comes back in the refused message's place. */
  const answerInPlace = (error: Refusal, retryAfterMs: number | undefined) => {
    const reply = errorReply(error.code, error.message);
    queues.push({ kind: 'behind_everything' }, () =>
      sendReply(conn, retryAfterMs === undefined ? reply : { ...reply, retryAfterMs }),
    );
  };

  /** Decodes an accepted frame when that is worth it now, and queues its handling. */
  const enqueue = (data: WSMessageReceive, bytes: number) => {
    const arrived = performance.now();
    const decoded =
      queuedInflatedBytes < MAX_QUEUED_INFLATED_BYTES ? decodeFrame(data, deps.maxInflatedBytes) : undefined;
    queuedBytes += bytes;
    if (decoded) queuedInflatedBytes += jsonBytesOf(decoded);
    queues.push(routeFrame(decoded), () => handle(data, bytes, arrived, decoded));
  };

  /**
   * Charges the principal's bucket, wherever it connects from. Never the address: the frames of an
   * authenticated socket are its key's traffic, and workers behind one NAT must not share one budget.
   */
  const withinRateLimit = (): boolean => {
    const { principal } = conn;
    return principal !== undefined && deps.keyLimiter.take(principalBucket(principal));
  };
  const msUntilAllowed = (): number => {
    const { principal } = conn;
    return principal === undefined ? 0 : deps.keyLimiter.retryAfterMs(principalBucket(principal));
  };

  return {
    receive(data, bytes) {
      const limited = !withinRateLimit();
      strikes = limited ? strikes + 1 : 0;
      const retryAfterMs = limited ? msUntilAllowed() : 0;
      const admission = admitFrame({ withinRateLimit: !limited, retryAfterMs, strikes, queuedBytes, bytes });
      if (!admission.ok) {
        answerInPlace(admission.error.error, admission.error.retryAfterMs);
        if (admission.error.close) {
          log.warn('ws_rate_limit_close', { strikes });
          closeConnection(conn, CLOSE.policyViolation, 'rate limit exceeded persistently');
        }
        return;
      }
      deps.observer?.frameAdmitted(bytes);
      enqueue(data, bytes);
    },
    drain: () => queues.drain(),
  };
}
