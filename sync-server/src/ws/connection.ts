import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { WSContext, WSEvents, WSMessageReceive } from 'hono/ws';
import type WebSocket from 'ws';
import {
  AuthenticateMessageSchema,
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
import { createSerialQueue, type SerialQueue } from './serial-queue';

/** A server message sent back on the socket. */
export type ServerMessage = { type: string } & Record<string, unknown>;

/** Handles one authenticated message (already parsed JSON); never used before authentication. */
export type MessageHandler = (
  principal: Principal,
  message: Record<string, unknown> & { type: string },
) => Promise<ServerMessage>;

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

/**
 * Bound on decoded-but-not-yet-handled JSON per socket. Frames are decoded on arrival so that inflating
 * and parsing the next batch overlaps the database work of the current one; past this bound a frame is
 * kept compressed and decoded when its turn comes (the parsed objects take a few times this in heap).
 */
const MAX_QUEUED_INFLATED_BYTES = 64 * 1024 * 1024;

type State = 'awaiting_auth' | 'authenticating' | 'open' | 'closing';

function sizeOf(data: WSMessageReceive): number {
  if (typeof data === 'string') return Buffer.byteLength(data, 'utf8');
  if (data instanceof Blob) return data.size;
  return data.byteLength;
}

function errorMessage(code: ErrorCode, message: string, extra: { batchId?: string } = {}): ErrorMessage {
  return { type: 'error', code, message, ...extra, retryable: !PERMANENT_ERROR_CODES.includes(code) };
}

/** Parsed frame (with the size of its JSON text), or the refusal to send back. */
type Parsed =
  | { ok: true; message: Record<string, unknown> & { type: string }; jsonBytes: number }
  | { ok: false; error: ErrorMessage; jsonBytes: number };

function isOutputTooLarge(err: unknown): boolean {
  return err instanceof RangeError && (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

function parseFrame(data: WSMessageReceive, maxInflatedBytes: number): Parsed {
  let value: unknown;
  let jsonBytes = 0;
  if (typeof data === 'string') {
    jsonBytes = Buffer.byteLength(data, 'utf8');
    try {
      value = JSON.parse(data);
    } catch {
      return { ok: false, error: errorMessage('invalid_json', 'text frame is not valid JSON'), jsonBytes };
    }
  } else if (data instanceof Blob) {
    // The node adapter delivers ArrayBuffers; a Blob would mean another runtime.
    return { ok: false, error: errorMessage('bad_request', 'unsupported binary frame'), jsonBytes };
  } else {
    // The codec's gzip JSON (schema/protocol/codec.ts), inflated with node:zlib: ~2.5x faster than
    // fflate here, and maxOutputLength stops inflating a "zip bomb" as soon as it passes the bound.
    let text: Buffer;
    try {
      text = gunzipSync(new Uint8Array(data as ArrayBuffer), { maxOutputLength: maxInflatedBytes });
    } catch (err) {
      if (isOutputTooLarge(err)) {
        return {
          ok: false,
          error: errorMessage('payload_too_large', `inflated frame exceeds ${maxInflatedBytes} bytes`),
          jsonBytes,
        };
      }
      return { ok: false, error: errorMessage('invalid_json', 'binary frame is not gzip-compressed JSON'), jsonBytes };
    }
    jsonBytes = text.length;
    try {
      value = JSON.parse(text.toString('utf8'));
    } catch {
      return { ok: false, error: errorMessage('invalid_json', 'binary frame is not gzip-compressed JSON'), jsonBytes };
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: errorMessage('bad_request', 'a message must be a JSON object'), jsonBytes };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return { ok: false, error: errorMessage('bad_request', 'a message needs a string "type"'), jsonBytes };
  }
  return { ok: true, message: value as Record<string, unknown> & { type: string }, jsonBytes };
}

/** The session a sync `batch` belongs to (its own queue), or undefined for every other message. */
function batchSessionOf(parsed: Parsed | undefined): string | undefined {
  if (!parsed?.ok || parsed.message.type !== 'batch') return undefined;
  const sessionId = parsed.message.sessionId;
  return typeof sessionId === 'string' ? sessionId : undefined;
}

/** The session a `session_close` closes: it must wait for that session's queued batches. */
function closedSessionOf(parsed: Parsed | undefined): string | undefined {
  if (!parsed?.ok || parsed.message.type !== 'session_close') return undefined;
  const sessionId = parsed.message.sessionId;
  return typeof sessionId === 'string' ? sessionId : undefined;
}

/**
 * WebSocket events for one connection (legacy `/ws`, `/extension-ws`): authentication first, then the
 * messages through serial queues. Sync `batch` messages go to one queue per session, so two sessions'
 * batches are stored at once (their acks may come back out of order across sessions: the engine
 * matches acks by batchId, and sends batches only after its `resume` was answered). Every other
 * message (legacy ones, `resume`, `session_close`, refusals) goes through the connection's queue in
 * strict arrival order. Within a session arrival order holds both ways: a `session_close` waits for
 * its session's batches received before it, a batch for its session's `session_close` received before
 * it. A refusal or an undecodable frame's error waits for everything received before it, since
 * clients match those (no batchId) by position. Every
 * handler is wrapped: a bad or hostile message costs the client an `error` reply, never the server.
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
  let queuedInflatedBytes = 0;
  let ws: WSContext<unknown> | undefined;
  let tracked: TrackedConnection | undefined;
  const opened = Date.now();
  let received = 0;

  const onTaskError = (err: unknown) => {
    log.error('ws_handler_failed', { error: err });
  };
  const queue = createSerialQueue(onTaskError);
  const sessionQueues = new Map<string, SerialQueue>();
  /** Per session, the last queued `session_close` until it is answered: later batches of it wait. */
  const pendingCloses = new Map<string, Promise<void>>();

  const sessionQueue = (sessionId: string): SerialQueue => {
    let q = sessionQueues.get(sessionId);
    if (q === undefined) {
      const created = createSerialQueue(onTaskError, () => {
        // Forget drained queues, or a long connection would keep one per session it ever sent.
        if (sessionQueues.get(sessionId) === created) sessionQueues.delete(sessionId);
      });
      q = created;
      sessionQueues.set(sessionId, q);
    }
    return q;
  };

  /** Settles once every task queued so far, on any queue, has: what a position-matched reply waits for. */
  const everythingQueued = (): Promise<unknown> =>
    Promise.all([queue.idle(), ...[...sessionQueues.values()].map((q) => q.idle())]);

  /** Every queue drained, including tasks queued while waiting (shutdown drains connections this way). */
  const drainAll = async (): Promise<void> => {
    while (queue.pending > 0 || sessionQueues.size > 0) await everythingQueued();
  };

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
      refuseAuth(`invalid authenticate message: ${checked.error.message}`);
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

  const handle = async (data: WSMessageReceive, bytes: number, decoded?: Parsed) => {
    try {
      const parsed = decoded ?? parseFrame(data, deps.maxInflatedBytes);
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
        send(
          errorMessage('internal', 'the server failed to handle this message; retry later', batchId ? { batchId } : {}),
        );
      }
    } finally {
      queuedBytes -= bytes;
      if (decoded) queuedInflatedBytes -= decoded.jsonBytes;
    }
  };

  /** Queues a refusal behind everything received before it, so it comes back in the refused message's place. */
  const refuseInOrder = (error: ErrorMessage) => {
    const before = everythingQueued();
    queue.push(async () => {
      await before;
      send(error);
    });
  };

  /** Routes one accepted frame to its queue (see createConnectionEvents). */
  const enqueue = (data: WSMessageReceive, bytes: number) => {
    // Before authentication every frame waits, undecoded, for the key check on the connection queue.
    const decoded =
      state === 'open' && queuedInflatedBytes < MAX_QUEUED_INFLATED_BYTES
        ? parseFrame(data, deps.maxInflatedBytes)
        : undefined;
    queuedBytes += bytes;
    if (decoded) queuedInflatedBytes += decoded.jsonBytes;
    const batchSession = batchSessionOf(decoded);
    if (batchSession !== undefined) {
      const before = pendingCloses.get(batchSession);
      sessionQueue(batchSession).push(async () => {
        await before;
        await handle(data, bytes, decoded);
      });
      return;
    }
    const closedSession = closedSessionOf(decoded);
    if (closedSession !== undefined) {
      const batchesBefore = sessionQueues.get(closedSession)?.idle();
      const answered = new Promise<void>((resolve) => {
        queue.push(async () => {
          try {
            await batchesBefore;
            await handle(data, bytes, decoded);
          } finally {
            resolve();
          }
        });
      });
      pendingCloses.set(closedSession, answered);
      void answered.then(() => {
        if (pendingCloses.get(closedSession) === answered) pendingCloses.delete(closedSession);
      });
      return;
    }
    // An undecodable frame is answered by an error without batchId: like a refusal, in its place.
    const before = decoded?.ok === false ? everythingQueued() : undefined;
    queue.push(async () => {
      await before;
      await handle(data, bytes, decoded);
    });
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
        drain: drainAll,
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
          refuseInOrder(errorMessage('rate_limited', 'rate limit exceeded: slow down and resend this message later'));
          if (strikes >= RATE_LIMIT_STRIKES_BEFORE_CLOSE) {
            log.warn('ws_rate_limit_close', { strikes });
            close(CLOSE.policyViolation, 'rate limit exceeded persistently');
          }
          return;
        }
        strikes = 0;
        if (queuedBytes + bytes > MAX_QUEUED_BYTES) {
          refuseInOrder(
            errorMessage('rate_limited', 'too much data in flight on this connection: wait for acks, then resend'),
          );
          return;
        }
        if (state === 'awaiting_auth') {
          // The first frame decides: authenticate, or the connection is refused. Frames after it
          // wait in the queue until the key is checked, so a client need not wait for the reply.
          state = 'authenticating';
        }
        enqueue(evt.data, bytes);
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
