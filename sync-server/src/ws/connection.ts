import { randomUUID } from 'node:crypto';
import type { Clock, Result } from '@codesight/schema';
import type { WSContext, WSEvents, WSMessageReceive } from 'hono/ws';
import type WebSocket from 'ws';
import { principalLabel, type Credential, type Principal } from '../auth/principal';
import type { RateLimiter } from '../http/rate-limiter';
import type { Logger } from '../log';
import { errorReply, type Reply } from '../protocol/protocol-context';
import type { Refusal } from '../refusal';
import {
  admitBeforeAuth,
  authenticationSuccess,
  credentialOf,
  FIRST_MESSAGE_MUST_AUTHENTICATE,
  startAuthDeadline,
  startExpiryTimer,
} from './authentication';
import { CLOSE } from './close-codes';
import type { ConnectionRegistry, TrackedConnection } from './connection-registry';
import { createCredentialLease, type CredentialLease } from './credential-lease';
import { admitFrame } from './frame-admission';
import { decodeFrame, frameSize, jsonBytesOf, type FrameDecoding } from './frame-decoder';
import { routeFrame } from './frame-route';
import { createMessageQueues } from './message-queues';
import { internalErrorReply, replyToMessage, type MessageHandler } from './message-reply';

/** What a connection needs from the rest of the server. */
export interface ConnectionDeps {
  authenticate(credential: Credential): Promise<Result<Principal, Refusal>>;
  /**
   * Whether an authenticated principal's credential is still valid (key not revoked, worker not
   * disabled, token not expired); rejects when that cannot be told now (database down).
   */
  verifyCredential(principal: Principal): Promise<boolean>;
  handleMessage: MessageHandler;
  registry: ConnectionRegistry;
  keyLimiter: RateLimiter;
  ipLimiter: RateLimiter;
  logger: Logger;
  /** Times the authentication deadline and the connection's duration. */
  clock: Clock;
  authTimeoutMs: number;
  maxInflatedBytes: number;
  /** Sockets from one IP awaiting their authentication answer; one more is refused (1013). */
  maxPendingAuthPerIp: number;
  /** Authenticated sockets per key (or admin subject); one more is refused (1013). */
  maxConnectionsPerKey: number;
  /** A message is handled only on a credential found valid within this many ms (else it is looked up first). */
  credentialMaxAgeMs: number;
}

/**
 * Bound on decoded-but-not-yet-handled JSON per socket. Frames are decoded on arrival so that inflating
 * and parsing the next batch overlaps the database work of the current one; past this bound a frame is
 * kept compressed and decoded when its turn comes (the parsed objects take a few times this in heap).
 */
const MAX_QUEUED_INFLATED_BYTES = 64 * 1024 * 1024;

type State = 'awaiting_auth' | 'authenticating' | 'open' | 'closing';

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
 * WebSocket events for one connection (legacy `/ws`, `/extension-ws`). Before authentication only one
 * small text frame is read, the `authenticate` message (authentication.ts says what else is held or
 * refused: nothing is inflated or parsed for a socket without a valid key). Then every frame is admitted
 * or refused (rate limits, in-flight bound; frame-admission.ts), decoded and queued (message-queues.ts
 * says in which order replies come back), and handled while the credential is still valid (a revoked
 * key closes the socket; credential-lease.ts bounds how old a check a message may rely on). Once the
 * connection is closing nothing more is read or handled. Every handler is wrapped: a bad or hostile
 * message costs the client an `error` reply, never the server.
 */
export function createConnectionEvents(deps: ConnectionDeps, ip: string): WSEvents<unknown> {
  const id = randomUUID();
  const log = deps.logger.child({ connectionId: id, ip });
  const clock = deps.clock;
  let state: State = 'awaiting_auth';
  let principal: Principal | undefined;
  let lease: CredentialLease | undefined;
  let cancelAuthDeadline: (() => void) | undefined;
  let cancelExpiry: (() => void) | undefined;
  /** Text frames an old client sent behind `authenticate` before the answer: held unread. */
  let held: string[] = [];
  let heldBytes = 0;
  let strikes = 0;
  let accepting = true;
  let queuedBytes = 0;
  let queuedInflatedBytes = 0;
  /** The `authenticate` lookup while it runs: shutdown waits for it and the frames held behind it. */
  let authenticating: Promise<void> | undefined;
  let ws: WSContext<unknown> | undefined;
  let tracked: TrackedConnection | undefined;
  const opened = clock.now();
  let received = 0;

  const queues = createMessageQueues((error: unknown) => log.error('ws_handler_failed', { error }));
  // A function, not a comparison at the use site: `state` changes while handlers await.
  const isClosing = () => state === 'closing';

  const send = (message: Reply) => {
    if (!ws || ws.readyState !== 1) return;
    try {
      ws.send(JSON.stringify(message));
    } catch (error) {
      log.warn('ws_send_failed', { error });
    }
  };

  /** Stops all work of the connection: held and queued frames are dropped unread, timers cancelled. */
  const close = (code: number, reason: string) => {
    if (state === 'closing') return;
    state = 'closing';
    held = [];
    cancelAuthDeadline?.();
    cancelExpiry?.();
    // A closing socket is no longer awaiting authentication nor using its key's slot.
    deps.registry.remove(id);
    try {
      ws?.close(code, reason);
    } catch (error) {
      log.warn('ws_close_failed', { error });
    }
  };

  /** Answers `authentication_failed` and closes: 4401 (the credential), or `code` (a cap, a failure). */
  const refuseAuth = (message: string, code: number = CLOSE.unauthorized) => {
    send({ type: 'authentication_failed', message });
    close(code, message.slice(0, 120));
  };

  /** The credential of an open connection stopped being valid (revoked key, disabled worker, expired token). */
  const revoke = (message: string) => {
    if (state !== 'open') return;
    log.info('ws_credential_revoked', { reason: message });
    refuseAuth(message);
  };

  const authenticate = async (text: string) => {
    // At most MAX_AUTHENTICATE_FRAME_BYTES of text (admitBeforeAuth): parsing it is bounded.
    const decoding = decodeFrame(text, deps.maxInflatedBytes);
    if (!decoding.ok || decoding.value.message.type !== 'authenticate') {
      refuseAuth(FIRST_MESSAGE_MUST_AUTHENTICATE);
      return;
    }
    const credential = credentialOf(decoding.value.message);
    if (!credential.ok) {
      refuseAuth(credential.error.message);
      return;
    }
    const checkedAt = clock.now();
    let result: Result<Principal, Refusal>;
    try {
      result = await deps.authenticate(credential.value);
    } catch (error) {
      log.error('ws_auth_lookup_failed', { error });
      if (!isClosing()) refuseAuth('the server could not check the credential; retry later', CLOSE.internalError);
      return;
    }
    if (isClosing()) return; // timed out while the lookup ran
    if (!result.ok) {
      log.info('ws_auth_failed', { reason: result.error.code });
      refuseAuth(result.error.message);
      return;
    }
    const accepted = result.value;
    if (deps.registry.openWith(accepted) >= deps.maxConnectionsPerKey) {
      log.warn('ws_key_connection_cap', { principal: principalLabel(accepted) });
      const whose = accepted.kind === 'worker' ? 'this API key' : 'this admin';
      refuseAuth(
        `too many open connections for ${whose} (at most ${deps.maxConnectionsPerKey}): close one or retry later`,
        CLOSE.tryAgainLater,
      );
      return;
    }
    cancelAuthDeadline?.();
    principal = accepted;
    lease = createCredentialLease(
      clock,
      deps.credentialMaxAgeMs,
      () => deps.verifyCredential(accepted),
      (error) => log.warn('ws_credential_check_failed', { error }),
    );
    lease.confirm(checkedAt);
    state = 'open';
    tracked?.setPrincipal(accepted);
    log.info('ws_authenticated', { principal: principalLabel(accepted) });
    send(authenticationSuccess(accepted, clock.now()));
    if (accepted.kind === 'admin') {
      cancelExpiry = startExpiryTimer(clock, accepted.expiresAt, () => revoke('admin token expired'));
    }
    // What an old client streamed behind `authenticate` is read now, in order, as if it arrived now.
    const behind = held;
    held = [];
    heldBytes = 0;
    for (const frame of behind) {
      if (state !== 'open') break;
      receive(frame, frameSize(frame), false);
    }
  };

  const handle = async (data: WSMessageReceive, bytes: number, decoded?: FrameDecoding) => {
    try {
      // Closing (refused, revoked, flooding, gone): what is still queued is dropped unread.
      if (isClosing() || !principal || !lease) return;
      const decoding = decoded ?? decodeFrame(data, deps.maxInflatedBytes);
      if (!decoding.ok) {
        send(errorReply(decoding.error.code, decoding.error.message));
        return;
      }
      const { message } = decoding.value;
      if (message.type === 'authenticate') {
        send(errorReply('bad_request', 'already authenticated'));
        return;
      }
      const credential = await lease.check();
      if (credential === 'revoked') {
        revoke(principal.kind === 'admin' ? 'admin token expired' : 'API key revoked or worker disabled');
      }
      if (isClosing()) return; // revoked while this message waited: it is not stored
      if (credential === 'unknown') {
        send(internalErrorReply(message, 'the server could not re-check the credential; retry later'));
        return;
      }
      send(await replyToMessage(deps.handleMessage, principal, message, log));
    } finally {
      queuedBytes -= bytes;
      if (decoded) queuedInflatedBytes -= jsonBytesOf(decoded);
    }
  };

  /** Sends `error` after everything received before it, so it comes back in the refused message's place. */
  const answerInPlace = (error: Refusal) => {
    queues.push({ kind: 'behind_everything' }, () => send(errorReply(error.code, error.message)));
  };

  /** Decodes an accepted frame when that is worth it now, and queues its handling. */
  const enqueue = (data: WSMessageReceive, bytes: number) => {
    const decoded =
      queuedInflatedBytes < MAX_QUEUED_INFLATED_BYTES ? decodeFrame(data, deps.maxInflatedBytes) : undefined;
    queuedBytes += bytes;
    if (decoded) queuedInflatedBytes += jsonBytesOf(decoded);
    queues.push(routeFrame(decoded), () => handle(data, bytes, decoded));
  };

  /**
   * Charges the rate-limit buckets: a key is limited wherever it connects from, an IP across its keys.
   * A frame held before authentication was charged to its IP when it arrived.
   */
  const withinRateLimit = (chargeIp: boolean): boolean => {
    const ipOk = !chargeIp || deps.ipLimiter.take(`ip:${ip}`);
    const keyOk = principal?.kind !== 'worker' || deps.keyLimiter.take(`worker:${principal.workerId}`);
    return ipOk && keyOk;
  };

  /** Admits or refuses a frame of an authenticated connection, and queues it. */
  const receive = (data: WSMessageReceive, bytes: number, chargeIp: boolean) => {
    const limited = !withinRateLimit(chargeIp);
    strikes = limited ? strikes + 1 : 0;
    const admission = admitFrame({ withinRateLimit: !limited, strikes, queuedBytes, bytes });
    if (!admission.ok) {
      answerInPlace(admission.error.error);
      if (admission.error.close) {
        log.warn('ws_rate_limit_close', { strikes });
        close(CLOSE.policyViolation, 'rate limit exceeded persistently');
      }
      return;
    }
    enqueue(data, bytes);
  };

  /** Before authentication: read the `authenticate` frame, hold a little text behind it, refuse the rest. */
  const receiveBeforeAuth = (data: WSMessageReceive, bytes: number) => {
    const text = typeof data === 'string';
    const verdict = admitBeforeAuth({
      first: state === 'awaiting_auth',
      withinRateLimit: deps.ipLimiter.take(`ip:${ip}`),
      text,
      bytes,
      heldFrames: held.length,
      heldBytes,
    });
    if (verdict.kind === 'refuse') {
      log.info('ws_refused_before_auth', { reason: verdict.message });
      refuseAuth(verdict.message);
    } else if (verdict.kind === 'authenticate' && text) {
      state = 'authenticating';
      authenticating = authenticate(data).catch((error: unknown) =>
        log.error('ws_auth_failed_unexpectedly', { error }),
      );
    } else if (verdict.kind === 'hold' && text) {
      held.push(data);
      heldBytes += bytes;
    }
  };

  return {
    onOpen(_evt, context) {
      ws = context;
      tracked = deps.registry.add({
        id,
        ip,
        stopAccepting: () => {
          accepting = false;
        },
        drain: async () => {
          await authenticating;
          await queues.drain();
        },
        closeGoingAway: (reason) => close(CLOSE.goingAway, reason),
        revoke,
        confirmCredential: (at) => lease?.confirm(at),
        // The Node adapter's raw socket is a `ws` WebSocket (ping, pong, terminate).
        raw: context.raw as WebSocket | undefined,
      });
      log.info('ws_open');
      if (deps.registry.awaitingAuthFrom(ip) > deps.maxPendingAuthPerIp) {
        log.warn('ws_pending_auth_cap');
        refuseAuth(
          `too many connections awaiting authentication from this address (at most ${deps.maxPendingAuthPerIp}): retry later`,
          CLOSE.tryAgainLater,
        );
        return;
      }
      cancelAuthDeadline = startAuthDeadline(clock, deps.authTimeoutMs, () => {
        if (state === 'awaiting_auth' || state === 'authenticating') {
          log.info('ws_auth_timeout');
          refuseAuth(`authentication timed out after ${deps.authTimeoutMs} ms`);
        }
      });
    },

    onMessage(evt, context) {
      ws ??= context;
      try {
        if (state === 'closing') return;
        received++;
        if (!accepting) {
          send(errorReply('unavailable', 'server shutting down: resend this message after reconnecting'));
          return;
        }
        const data = messageDataOf(evt);
        const bytes = frameSize(data);
        if (state === 'open') receive(data, bytes, true);
        else receiveBeforeAuth(data, bytes);
      } catch (error) {
        log.error('ws_receive_failed', { error });
      }
    },

    onClose(evt) {
      state = 'closing';
      held = [];
      cancelAuthDeadline?.();
      cancelExpiry?.();
      deps.registry.remove(id);
      log.info('ws_close', {
        code: closeCodeOf(evt),
        principal: principal ? principalLabel(principal) : undefined,
        messages: received,
        durationMs: clock.now() - opened,
      });
    },

    onError(evt) {
      const error = (evt as Event & { error?: unknown }).error;
      log.warn('ws_error', { error });
    },
  };
}
