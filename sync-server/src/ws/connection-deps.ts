import type { Clock, PrivacyPolicy, Result } from '@codesight/schema';
import type { Credential, Principal } from '../auth/principal';
import type { RateLimiter } from '../http/rate-limiter';
import type { Logger } from '../log';
import type { Refusal } from '../refusal';
import type { ConnectionRegistry } from './connection-registry';
import type { MessageHandler } from './message-reply';

/** Told of an authenticated connection's traffic, for /metrics. */
export interface ConnectionObserver {
  /** A frame admitted into the pipeline, `bytes` on the wire. */
  frameAdmitted(bytes: number): void;
  /** A message of `type` answered, `seconds` after its frame arrived (queueing included). */
  answered(type: string, seconds: number): void;
}

/** What a connection needs from the rest of the server. */
export interface ConnectionDeps {
  authenticate(credential: Credential): Promise<Result<Principal, Refusal>>;
  /** Sent in `authentication_success` to clients that speak the sync protocol (issue 14); default: none. */
  privacyPolicy?: PrivacyPolicy | undefined;
  /**
   * Whether an authenticated principal's credential is still valid (key not revoked, worker not
   * disabled, token not expired); rejects when that cannot be told now (database down).
   */
  verifyCredential(principal: Principal): Promise<boolean>;
  handleMessage: MessageHandler;
  registry: ConnectionRegistry;
  /** Per principal: every frame of an authenticated connection (and only those). */
  keyLimiter: RateLimiter;
  /**
   * Per client IP: failed authentications. While it is empty, an `authenticate` from the address is
   * refused before it is parsed or looked up. (The socket's upgrade request was charged to the address
   * by the HTTP middleware; nothing else on a socket is.)
   */
  authFailureLimiter: RateLimiter;
  logger: Logger;
  /** Times the authentication deadline and the connection's duration. */
  clock: Clock;
  authTimeoutMs: number;
  maxInflatedBytes: number;
  /** Sockets from anywhere awaiting their authentication answer; one more is refused (1013). */
  maxPendingAuth: number;
  /** Sockets from one IP awaiting their authentication answer; one more is refused (1013). */
  maxPendingAuthPerIp: number;
  /** Authenticated sockets per key (or admin subject); one more is refused (1013). */
  maxConnectionsPerKey: number;
  /** A message is handled only on a credential found valid within this many ms (else it is looked up first). */
  credentialMaxAgeMs: number;
  /** Default: nothing is observed. */
  observer?: ConnectionObserver | undefined;
}
