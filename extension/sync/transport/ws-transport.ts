import {
  AuthenticationSuccessSchema,
  decodeCompressed,
  encodeCompressed,
  SYNC_PROTOCOL_VERSION,
  SyncServerMessageSchema,
  systemClock,
  validate,
  type Clock,
  type PrivacyPolicy,
  type TimerHandle,
} from '@codesight/schema';
import type { SyncClientMessage, SyncTransport } from './transport';
import { createTransportListeners } from './transport-listeners';

/** The subset of the WebSocket API the transport uses (the browser's, or `ws` in Node tests). */
export interface WebSocketLike {
  binaryType: string;
  readyState: number;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Where and how the WebSocket transport connects. */
export interface WsTransportOptions {
  url: string;
  apiKey: string;
  createSocket(url: string): WebSocketLike;
  /** How long to wait for `authentication_success` after the socket opens. */
  authTimeoutMs?: number;
  /** Bound on an inflated inbound frame. */
  maxInboundBytes?: number;
  /** Times the authentication; the system clock unless a test drives a fake one. */
  clock?: Clock;
  /** Receives the deployment's privacy policy from `authentication_success` (validated; issue 14). */
  onPrivacyPolicy?(policy: PrivacyPolicy): void;
}

/** The server must answer `authenticate` within 5 s; allow a little more for a loaded network. */
const DEFAULT_AUTH_TIMEOUT_MS = 8_000;
/** Server replies are small acks; 8 MiB bounds a corrupt or hostile frame. */
const DEFAULT_MAX_INBOUND = 8 * 1024 * 1024;
const OPEN = 1;

/**
 * The sync WebSocket: connect, authenticate with the API key (`authenticate` first, as the legacy
 * protocol requires), then carry batches as gzip-JSON binary frames and everything else as JSON text.
 * Reports `open` only once authenticated.
 */
export function createWsTransport(options: WsTransportOptions): SyncTransport {
  const { emit, deliver, subscribe } = createTransportListeners();
  let socket: WebSocketLike | null = null;
  let authenticated = false;
  const clock = options.clock ?? systemClock;
  // Undefined while no authentication is awaited (TimerHandle is opaque, so undefined is among its values).
  let authTimer: TimerHandle;

  const teardown = (s: WebSocketLike) => {
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    if (authTimer !== undefined) clock.clearTimeout(authTimer);
    authTimer = undefined;
    if (socket === s) {
      socket = null;
      authenticated = false;
    }
  };

  const fail = (s: WebSocketLike, reason: string, code = 1000) => {
    if (socket !== s) return;
    teardown(s);
    try {
      s.close(code, reason.slice(0, 120));
    } catch {
      // already closing
    }
    emit({ status: 'closed', reason });
  };

  const parseFrame = (data: unknown): unknown => {
    if (typeof data === 'string') return JSON.parse(data);
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : null;
    if (!bytes) throw new Error('unsupported frame type');
    return decodeCompressed(bytes, options.maxInboundBytes ?? DEFAULT_MAX_INBOUND);
  };

  return {
    kind: 'ws',
    connect() {
      if (socket) return;
      emit({ status: 'connecting' });
      let s: WebSocketLike;
      try {
        s = options.createSocket(options.url);
      } catch (err) {
        emit({ status: 'closed', reason: `cannot open ${options.url}: ${(err as Error).message}` });
        return;
      }
      socket = s;
      s.binaryType = 'arraybuffer';
      s.onopen = () => {
        // `v` tells the server this client speaks the sync protocol: its answer then carries the privacy policy.
        s.send(JSON.stringify({ type: 'authenticate', apiKey: options.apiKey, v: SYNC_PROTOCOL_VERSION }));
        authTimer = clock.setTimeout(
          () => fail(s, 'no answer to authenticate'),
          options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS,
        );
      };
      s.onmessage = ({ data }) => {
        let message: unknown;
        try {
          message = parseFrame(data);
        } catch (err) {
          fail(s, `unreadable frame from server: ${(err as Error).message}`, 1007);
          return;
        }
        const type = (message as { type?: unknown } | null)?.type;
        if (!authenticated) {
          if (type === 'authentication_success') {
            const success = validate(AuthenticationSuccessSchema, message);
            // A policy that does not validate is not applied: the last good copy (or standard) stays.
            if (success.ok && success.value.privacyPolicy) options.onPrivacyPolicy?.(success.value.privacyPolicy);
            authenticated = true;
            clock.clearTimeout(authTimer);
            authTimer = undefined;
            emit({ status: 'open' });
          } else if (type === 'authentication_failed') {
            fail(s, `authentication failed: ${(message as { message?: string }).message ?? 'no reason given'}`);
          } else {
            fail(s, `unexpected ${String(type)} before authentication`);
          }
          return;
        }
        const parsed = validate(SyncServerMessageSchema, message);
        // Legacy acks and anything unknown are not for the engine: ignore rather than disconnect.
        if (parsed.ok) deliver(parsed.value);
      };
      s.onclose = ({ code, reason }) => {
        if (socket !== s) return;
        teardown(s);
        emit({ status: 'closed', reason: `connection closed (${code}${reason ? `: ${reason}` : ''})` });
      };
      s.onerror = () => {
        // A close event always follows an error; reporting happens there.
      };
    },
    send(message: SyncClientMessage) {
      if (!socket || !authenticated || socket.readyState !== OPEN) return;
      if (message.type === 'batch') socket.send(encodeCompressed(message));
      else socket.send(JSON.stringify(message));
    },
    close(reason: string) {
      const s = socket;
      if (!s) return;
      teardown(s);
      try {
        s.close(1000, reason.slice(0, 120));
      } catch {
        // already closed
      }
    },
    subscribe,
  };
}
