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
  authenticationSuccess,
  credentialOf,
  FIRST_MESSAGE_MUST_AUTHENTICATE,
  startAuthDeadline,
} from './authentication';
import { CLOSE } from './close-codes';
import type { ConnectionRegistry, TrackedConnection } from './connection-registry';
import { admitFrame } from './frame-admission';
import { decodeFrame, frameSize, jsonBytesOf, type ClientMessage, type FrameDecoding } from './frame-decoder';
import { routeFrame } from './frame-route';
import { createMessageQueues } from './message-queues';
import { replyToMessage, type MessageHandler } from './message-reply';

/** What a connection needs from the rest of the server. */
export interface ConnectionDeps {
  authenticate(credential: Credential): Promise<Result<Principal, Refusal>>;
  handleMessage: MessageHandler;
  registry: ConnectionRegistry;
  keyLimiter: RateLimiter;
  ipLimiter: RateLimiter;
  logger: Logger;
  /** Times the authentication deadline and the connection's duration. */
  clock: Clock;
  authTimeoutMs: number;
  maxInflatedBytes: number;
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
 * WebSocket events for one connection (legacy `/ws`, `/extension-ws`): authentication first (the first
 * frame must be `authenticate`, within `authTimeoutMs`), then every frame is admitted or refused
 * (rate limits, in-flight bound; frame-admission.ts), decoded and queued (message-queues.ts says in
 * which order replies come back), and handled. Every handler is wrapped: a bad or hostile message
 * costs the client an `error` reply, never the server.
 */
export function createConnectionEvents(deps: ConnectionDeps, ip: string): WSEvents<unknown> {
  const id = randomUUID();
  const log = deps.logger.child({ connectionId: id, ip });
  const clock = deps.clock;
  let state: State = 'awaiting_auth';
  let principal: Principal | undefined;
  let cancelAuthDeadline: (() => void) | undefined;
  let strikes = 0;
  let accepting = true;
  let queuedBytes = 0;
  let queuedInflatedBytes = 0;
  let ws: WSContext<unknown> | undefined;
  let tracked: TrackedConnection | undefined;
  const opened = clock.now();
  let received = 0;

  const queues = createMessageQueues((error: unknown) => log.error('ws_handler_failed', { error }));

  const send = (message: Reply) => {
    if (!ws || ws.readyState !== 1) return;
    try {
      ws.send(JSON.stringify(message));
    } catch (error) {
      log.warn('ws_send_failed', { error });
    }
  };

  const close = (code: number, reason: string) => {
    if (state === 'closing') return;
    state = 'closing';
    cancelAuthDeadline?.();
    try {
      ws?.close(code, reason);
    } catch (error) {
      log.warn('ws_close_failed', { error });
    }
  };

  const refuseAuth = (message: string) => {
    send({ type: 'authentication_failed', message });
    close(CLOSE.unauthorized, message.slice(0, 120));
  };

  const authenticate = async (message: ClientMessage) => {
    const credential = credentialOf(message);
    if (!credential.ok) {
      refuseAuth(credential.error.message);
      return;
    }
    const result = await deps.authenticate(credential.value);
    if (state === 'closing') return; // timed out while the lookup ran
    if (!result.ok) {
      log.info('ws_auth_failed', { reason: result.error.code });
      refuseAuth(result.error.message);
      return;
    }
    cancelAuthDeadline?.();
    principal = result.value;
    state = 'open';
    tracked?.setPrincipal(principal);
    log.info('ws_authenticated', { principal: principalLabel(principal) });
    send(authenticationSuccess(principal, clock.now()));
  };

  const handle = async (data: WSMessageReceive, bytes: number, decoded?: FrameDecoding) => {
    try {
      const decoding = decoded ?? decodeFrame(data, deps.maxInflatedBytes);
      if (state === 'authenticating') {
        // Only the authenticate message itself is queued while state is authenticating.
        if (decoding.ok && decoding.value.message.type === 'authenticate') await authenticate(decoding.value.message);
        else refuseAuth(FIRST_MESSAGE_MUST_AUTHENTICATE);
        return;
      }
      if (!decoding.ok) {
        send(errorReply(decoding.error.code, decoding.error.message));
        return;
      }
      const { message } = decoding.value;
      if (message.type === 'authenticate') {
        send(errorReply('bad_request', 'already authenticated'));
        return;
      }
      if (!principal) return; // closing after a failed authentication: drop what was queued behind it
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
    // Before authentication every frame waits, undecoded, for the key check on the connection queue.
    const decoded =
      state === 'open' && queuedInflatedBytes < MAX_QUEUED_INFLATED_BYTES
        ? decodeFrame(data, deps.maxInflatedBytes)
        : undefined;
    queuedBytes += bytes;
    if (decoded) queuedInflatedBytes += jsonBytesOf(decoded);
    queues.push(routeFrame(decoded), () => handle(data, bytes, decoded));
  };

  /** Charges both rate-limit buckets: a key is limited wherever it connects from, an IP across its keys. */
  const withinRateLimit = (): boolean => {
    const ipOk = deps.ipLimiter.take(`ip:${ip}`);
    const keyOk = principal?.kind !== 'worker' || deps.keyLimiter.take(`worker:${principal.workerId}`);
    return ipOk && keyOk;
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
        drain: () => queues.drain(),
        closeGoingAway: (reason) => close(CLOSE.goingAway, reason),
        // The Node adapter's raw socket is a `ws` WebSocket (ping, pong, terminate).
        raw: context.raw as WebSocket | undefined,
      });
      log.info('ws_open');
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
        const limited = !withinRateLimit();
        strikes = limited ? strikes + 1 : 0;
        const admission = admitFrame({
          awaitingAuth: state === 'awaiting_auth',
          withinRateLimit: !limited,
          strikes,
          queuedBytes,
          bytes,
        });
        if (!admission.ok) {
          const rejection = admission.error;
          if (rejection.kind === 'refuse_authentication') {
            refuseAuth(rejection.message);
            return;
          }
          answerInPlace(rejection.error);
          if (rejection.close) {
            log.warn('ws_rate_limit_close', { strikes });
            close(CLOSE.policyViolation, 'rate limit exceeded persistently');
          }
          return;
        }
        if (state === 'awaiting_auth') {
          // The first frame decides: authenticate, or the connection is refused. Frames after it
          // wait in the queue until the key is checked, so a client need not wait for the reply.
          state = 'authenticating';
        }
        enqueue(data, bytes);
      } catch (error) {
        log.error('ws_receive_failed', { error });
      }
    },

    onClose(evt) {
      state = 'closing';
      cancelAuthDeadline?.();
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
