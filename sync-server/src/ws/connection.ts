import { randomUUID } from 'node:crypto';
import type { WSContext, WSEvents, WSMessageReceive } from 'hono/ws';
import type WebSocket from 'ws';
import {
  AuthenticateMessageSchema,
  decodeCompressed,
  InflateLimitError,
  PERMANENT_ERROR_CODES,
  validate,
  type ErrorCode,
  type ErrorMessage,
} from '@codesight/schema';
import type { Credential, Principal } from '../auth/principal';
import { principalLabel } from '../auth/principal';
import type { Outcome } from '../http/errors';
import type { RateLimiter } from '../http/rate-limiter';
import type { Logger } from '../log';
import { CLOSE } from './close-codes';
import type { ConnectionRegistry, TrackedConnection } from './connection-registry';
import { createSerialQueue } from './serial-queue';

/** A server message sent back on the socket. */
export type ServerMessage = { type: string } & Record<string, unknown>;

/** Handles one authenticated message (already parsed JSON); never used before authentication. */
export type MessageHandler = (principal: Principal, message: Record<string, unknown> & { type: string }) => Promise<ServerMessage>;

/** What a connection needs from the rest of the server. */
export interface ConnectionDeps {
  authenticate(credential: Credential): Promise<Outcome<Principal>>;
  handleMessage: MessageHandler;
  registry: ConnectionRegistry;
  keyLimiter: RateLimiter;
  ipLimiter: RateLimiter;
  logger: Logger;
  authTimeoutMs: number;
  maxInflatedBytes: number;
}

/**
 * After this many refused messages in a row (no accepted one in between) the client is not slowing
 * down: close instead of answering every frame. At the default limit that is several seconds of flood.
 */
const RATE_LIMIT_STRIKES_BEFORE_CLOSE = 100;

/**
 * Bound on bytes received but not yet handled on one socket. Handlers await the database, so a client
 * that sends faster than the database writes would otherwise grow the queue without limit.
 */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

type State = 'awaiting_auth' | 'authenticating' | 'open' | 'closing';

function sizeOf(data: WSMessageReceive): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (data instanceof Blob) return data.size;
  return data.byteLength;
}

function errorMessage(code: ErrorCode, message: string, extra: { batchId?: string } = {}): ErrorMessage {
  return { type: 'error', code, message, ...extra, retryable: !PERMANENT_ERROR_CODES.includes(code) };
}

/** Parsed frame, or the refusal to send back. */
type Parsed = { ok: true; message: Record<string, unknown> & { type: string } } | { ok: false; error: ErrorMessage };

function parseFrame(data: WSMessageReceive, maxInflatedBytes: number): Parsed {
  let value: unknown;
  if (typeof data === 'string') {
    try {
      value = JSON.parse(data);
    } catch {
      return { ok: false, error: errorMessage('invalid_json', 'text frame is not valid JSON') };
    }
  } else if (data instanceof Blob) {
    // The node adapter delivers ArrayBuffers; a Blob would mean another runtime.
    return { ok: false, error: errorMessage('bad_request', 'unsupported binary frame') };
  } else {
    try {
      value = decodeCompressed(new Uint8Array(data as ArrayBuffer), maxInflatedBytes);
    } catch (err) {
      if (err instanceof InflateLimitError) {
        return { ok: false, error: errorMessage('payload_too_large', `inflated frame exceeds ${maxInflatedBytes} bytes`) };
      }
      return { ok: false, error: errorMessage('invalid_json', 'binary frame is not gzip-compressed JSON') };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: errorMessage('bad_request', 'a message must be a JSON object') };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { ok: false, error: errorMessage('bad_request', 'a message needs a string "type"') };
  }
  return { ok: true, message: value as Record<string, unknown> & { type: string } };
}

/**
 * WebSocket events for one connection (legacy `/ws`, `/extension-ws`): authentication first, then
 * every message through one serial queue so replies come back in order. Every handler is wrapped:
 * a bad or hostile message costs the client an `error` reply, never the server.
 */
export function createConnectionEvents(deps: ConnectionDeps, ip: string): WSEvents<unknown> {
  const id = randomUUID();
  const log = deps.logger.child({ connectionId: id, ip });
  let state: State = 'awaiting_auth';
  let principal: Principal | undefined;
  let authTimer: NodeJS.Timeout | undefined;
  let strikes = 0;
  let accepting = true;
  let queuedBytes = 0;
  let ws: WSContext<unknown> | undefined;
  let tracked: TrackedConnection | undefined;
  const opened = Date.now();
  let received = 0;

  const queue = createSerialQueue((err) => {
    log.error('ws_handler_failed', { error: err });
  });

  const send = (message: ServerMessage) => {
    if (!ws || ws.readyState !== 1) return;
    try {
      ws.send(JSON.stringify(message));
    } catch (err) {
      log.warn('ws_send_failed', { error: err });
    }
  };

  const close = (code: number, reason: string) => {
    if (state === 'closing') return;
    state = 'closing';
    clearTimeout(authTimer);
    try {
      ws?.close(code, reason);
    } catch (err) {
      log.warn('ws_close_failed', { error: err });
    }
  };

  const refuseAuth = (message: string) => {
    send({ type: 'authentication_failed', message });
    close(CLOSE.unauthorized, message.slice(0, 120));
  };

  const authenticate = async (message: Record<string, unknown>) => {
    const checked = validate(AuthenticateMessageSchema, message);
    if (!checked.ok) {
      refuseAuth(`invalid authenticate message: ${checked.message}`);
      return;
    }
    const result = await deps.authenticate({ apiKey: checked.value.apiKey, token: checked.value.token });
    if (state === 'closing') return; // timed out while the lookup ran
    if (!result.ok) {
      log.info('ws_auth_failed', { reason: result.code });
      refuseAuth(result.message);
      return;
    }
    clearTimeout(authTimer);
    principal = result.value;
    state = 'open';
    tracked?.setPrincipal(principal);
    log.info('ws_authenticated', { principal: principalLabel(principal) });
    send({
      type: 'authentication_success',
      workerId: principal.kind === 'worker' ? principal.workerId : `admin:${principal.subject}`,
      serverTime: Date.now(),
    });
  };

  const handle = async (data: WSMessageReceive, bytes: number) => {
    try {
      const parsed = parseFrame(data, deps.maxInflatedBytes);
      if (state === 'authenticating') {
        // Only the authenticate message itself is queued while state is authenticating.
        if (parsed.ok && parsed.message.type === 'authenticate') await authenticate(parsed.message);
        else refuseAuth('first message must be {"type":"authenticate","apiKey":"..."}');
        return;
      }
      if (!parsed.ok) {
        send(parsed.error);
        return;
      }
      const message = parsed.message;
      if (message.type === 'authenticate') {
        send(errorMessage('bad_request', 'already authenticated'));
        return;
      }
      if (!principal) return; // closing after a failed authentication: drop what was queued behind it
      const batchId = typeof message.batchId === 'string' ? message.batchId.slice(0, 64) : undefined;
      try {
        send(await deps.handleMessage(principal, message));
      } catch (err) {
        log.error('ws_message_failed', { messageType: message.type.slice(0, 32), error: err });
        send(errorMessage('internal', 'the server failed to handle this message; retry later', batchId ? { batchId } : {}));
      }
    } finally {
      queuedBytes -= bytes;
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
        drain: () => queue.idle(),
        closeGoingAway: (reason) => close(CLOSE.goingAway, reason),
        // The Node adapter's raw socket is a `ws` WebSocket (ping, pong, terminate).
        raw: context.raw as WebSocket | undefined,
      });
      log.info('ws_open');
      authTimer = setTimeout(() => {
        if (state === 'awaiting_auth' || state === 'authenticating') {
          log.info('ws_auth_timeout');
          refuseAuth(`authentication timed out after ${deps.authTimeoutMs} ms`);
        }
      }, deps.authTimeoutMs);
      authTimer.unref();
    },

    onMessage(evt, context) {
      ws ??= context;
      try {
        if (state === 'closing') return;
        received++;
        if (!accepting) {
          send(errorMessage('unavailable', 'server shutting down: resend this message after reconnecting'));
          return;
        }
        const bytes = sizeOf(evt.data);
        const rateKey = principal?.kind === 'worker' ? `worker:${principal.workerId}` : undefined;
        // Both buckets are charged: a key is limited wherever it connects from, an IP across its keys.
        const ipOk = deps.ipLimiter.take(`ip:${ip}`);
        const keyOk = rateKey === undefined || deps.keyLimiter.take(rateKey);
        if (!ipOk || !keyOk) {
          strikes++;
          if (state === 'awaiting_auth') {
            refuseAuth('rate limit exceeded');
            return;
          }
          // Queued like any reply, so refusals come back in message order and a client can tell
          // which message was refused by its position.
          queue.push(async () => send(errorMessage('rate_limited', 'rate limit exceeded: slow down and resend this message later')));
          if (strikes >= RATE_LIMIT_STRIKES_BEFORE_CLOSE) {
            log.warn('ws_rate_limit_close', { strikes });
            close(CLOSE.policyViolation, 'rate limit exceeded persistently');
          }
          return;
        }
        strikes = 0;
        if (queuedBytes + bytes > MAX_QUEUED_BYTES) {
          queue.push(async () => send(errorMessage('rate_limited', 'too much data in flight on this connection: wait for acks, then resend')));
          return;
        }
        if (state === 'awaiting_auth') {
          // The first frame decides: authenticate, or the connection is refused. Frames after it
          // wait in the queue until the key is checked, so a client need not wait for the reply.
          state = 'authenticating';
        }
        queuedBytes += bytes;
        queue.push(() => handle(evt.data, bytes));
      } catch (err) {
        log.error('ws_receive_failed', { error: err });
      }
    },

    onClose(evt) {
      state = 'closing';
      clearTimeout(authTimer);
      deps.registry.remove(id);
      log.info('ws_close', {
        code: evt.code,
        principal: principal ? principalLabel(principal) : undefined,
        messages: received,
        durationMs: Date.now() - opened,
      });
    },

    onError(evt) {
      const error = (evt as Event & { error?: unknown }).error;
      log.warn('ws_error', { error });
    },
  };
}
