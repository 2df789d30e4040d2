import {
  AuthenticateMessageSchema,
  fail,
  ok,
  validate,
  type Clock,
  type Failure,
  type PrivacyPolicy,
  type Result,
  type TimerHandle,
} from '@codesight/schema';
import type { Credential, Principal } from '../auth/principal';
import type { Reply } from '../protocol/protocol-context';
import { unrefTimer } from '../timers';

/** What a connection whose first message is not `authenticate` is told before it is closed. */
export const FIRST_MESSAGE_MUST_AUTHENTICATE = 'first message must be {"type":"authenticate","apiKey":"..."}';

/**
 * Longest `authenticate` frame read. The message holds one credential (a 47-character key, or an admin
 * JWT of at most 4096 characters, the schema's bound) and its JSON keys: 8 KiB holds either with room.
 */
export const MAX_AUTHENTICATE_FRAME_BYTES = 8 * 1024;

/**
 * What an old client may send behind `authenticate` before the answer (it streams without waiting):
 * text frames held as received, unread, and handled only once the key is accepted. A session start and
 * a few interactions fit; a client without a key can pin no more than this per socket.
 */
export const MAX_HELD_FRAMES = 64;
/** Bytes of the frames held before the answer; see {@link MAX_HELD_FRAMES}. */
export const MAX_HELD_BYTES = 64 * 1024;

/** What is known about a frame that arrives before the connection authenticated. */
export interface PreAuthArrival {
  /** No frame was read yet: this one must be the `authenticate` message. */
  first: boolean;
  /** The client IP's failed-authentication budget is not spent (only asked of the first frame). */
  mayAuthenticate: boolean;
  /** A text frame (binary frames are gzip, never inflated for an unauthenticated socket). */
  text: boolean;
  /** This frame's size as received. */
  bytes: number;
  /** Frames already held behind `authenticate`, and their bytes. */
  heldFrames: number;
  heldBytes: number;
}

/**
 * Why a frame before authentication refuses the connection: the address's failed-authentication budget
 * is spent (nothing was read: closed 1013, retry later), the first frame is not a readable
 * `authenticate` (a failed authentication: charged to the address), or too much came before the answer.
 */
export type PreAuthRefusal = 'failures_spent' | 'not_authenticate' | 'too_much_before_answer';

/** Read the first frame as the `authenticate` message, hold a later one unread, or refuse the connection. */
export type PreAuthVerdict =
  { kind: 'authenticate' } | { kind: 'hold' } | { kind: 'refuse'; why: PreAuthRefusal; message: string };

/**
 * Decides what an unauthenticated connection does with a frame. Nothing but one small text frame is
 * ever read before the credential is accepted: no inflating, no parsing, so a client without a key
 * costs its socket's memory and no CPU. Every refusal closes the connection (`authentication_failed`). Frames
 * held behind `authenticate` are not rate-limited: at most {@link MAX_HELD_FRAMES} per socket, unread,
 * and charged to the key like any frame once it is accepted.
 */
export function admitBeforeAuth(arrival: PreAuthArrival): PreAuthVerdict {
  if (arrival.first) {
    if (!arrival.mayAuthenticate) {
      return { kind: 'refuse', why: 'failures_spent', message: 'too many failed authentications from this address' };
    }
    if (!arrival.text) {
      return {
        kind: 'refuse',
        why: 'not_authenticate',
        message: `${FIRST_MESSAGE_MUST_AUTHENTICATE}, in a text frame`,
      };
    }
    if (arrival.bytes > MAX_AUTHENTICATE_FRAME_BYTES) {
      return {
        kind: 'refuse',
        why: 'not_authenticate',
        message: `authenticate message too large (over ${MAX_AUTHENTICATE_FRAME_BYTES} bytes)`,
      };
    }
    return { kind: 'authenticate' };
  }
  if (!arrival.text) {
    return {
      kind: 'refuse',
      why: 'too_much_before_answer',
      message: 'binary frame before authentication was answered: wait for authentication_success',
    };
  }
  if (arrival.heldFrames >= MAX_HELD_FRAMES || arrival.heldBytes + arrival.bytes > MAX_HELD_BYTES) {
    return {
      kind: 'refuse',
      why: 'too_much_before_answer',
      message: 'too much sent before authentication was answered: wait for authentication_success',
    };
  }
  return { kind: 'hold' };
}

/** The credential an `authenticate` message carries, or why the message is not a valid one. */
export function credentialOf(message: unknown): Result<Credential, Failure<'validation_failed'>> {
  const checked = validate(AuthenticateMessageSchema, message);
  if (!checked.ok) return fail('validation_failed', `invalid authenticate message: ${checked.error.message}`);
  return ok({ apiKey: checked.value.apiKey, token: checked.value.token });
}

/**
 * The sync protocol version an `authenticate` message names (`v`), or undefined for an old client (or a
 * message that is not a valid `authenticate`).
 */
export function protocolVersionOf(message: unknown): number | undefined {
  const checked = validate(AuthenticateMessageSchema, message);
  if (!checked.ok) return undefined;
  const version = checked.value.v;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 && version <= MAX_PROTOCOL_VERSION
    ? version
    : undefined;
}

/** Versions above this are no sync protocol this server could speak: read as an old client's stray key. */
const MAX_PROTOCOL_VERSION = 1000;

/**
 * The `authentication_success` reply: admins get a pseudo worker id naming them. `privacyPolicy` is given
 * only to clients that said which sync protocol they speak; an old client gets the legacy reply exactly.
 */
export function authenticationSuccess(principal: Principal, serverTime: number, privacyPolicy?: PrivacyPolicy): Reply {
  return {
    type: 'authentication_success',
    workerId: principal.kind === 'worker' ? principal.workerId : `admin:${principal.subject}`,
    serverTime,
    ...(privacyPolicy ? { privacyPolicy } : {}),
  };
}

/**
 * Calls `onExpired` once `timeoutMs` passed on `clock`, unless the returned cancel function ran first
 * (authentication succeeded, or the socket closed). A silent socket must not hold a connection forever.
 */
export function startAuthDeadline(clock: Clock, timeoutMs: number, onExpired: () => void): () => void {
  const handle = clock.setTimeout(onExpired, timeoutMs);
  unrefTimer(handle);
  return () => {
    if (handle !== undefined) clock.clearTimeout(handle);
  };
}

/** Longest delay a Node timer takes (2^31-1 ms, ~24.8 days); a longer one would fire at once. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `onExpired` once `clock` reaches `expiresAt` (epoch ms; an admin token's expiry), unless the
 * returned cancel function ran first (the socket closed). Far expiries are reached in steps.
 */
export function startExpiryTimer(clock: Clock, expiresAt: number, onExpired: () => void): () => void {
  let handle: TimerHandle = undefined;
  const arm = () => {
    const delay = expiresAt - clock.now();
    if (delay <= 0) {
      onExpired();
      return;
    }
    handle = clock.setTimeout(arm, Math.min(delay, MAX_TIMER_DELAY_MS));
    unrefTimer(handle);
  };
  arm();
  return () => {
    if (handle !== undefined) clock.clearTimeout(handle);
  };
}
