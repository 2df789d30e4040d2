import type { Result } from '@codesight/schema';
import type { WSMessageReceive } from 'hono/ws';
import { principalLabel, type Principal } from '../auth/principal';
import { retryAfterSeconds } from '../http/rate-limiter';
import { addressBucket } from '../http/rate-limit-keys';
import type { Refusal } from '../refusal';
import {
  admitBeforeAuth,
  authenticationSuccess,
  credentialOf,
  FIRST_MESSAGE_MUST_AUTHENTICATE,
  protocolVersionOf,
  startExpiryTimer,
} from './authentication';
import { CLOSE } from './close-codes';
import { isClosing, refuseAuth, revokeConnection, sendReply, type ConnectionContext } from './connection-context';
import { createCredentialLease } from './credential-lease';
import { decodeFrame } from './frame-decoder';

/** Hands a frame held before authentication to the open connection, as if it arrived now. */
export type ReplayHeldFrame = (frame: string) => void;

/**
 * Counts a failed authentication against the connection's address. Charged even past an empty budget:
 * sockets whose lookups ran together before the first failed each cost the address a longer wait.
 */
function chargeFailure(conn: ConnectionContext): void {
  conn.deps.authFailureLimiter.charge(addressBucket(conn.ip));
}

/** Refuses a connection whose first frame is not a readable `authenticate`: a failed authentication. */
function refuseUnreadable(conn: ConnectionContext, message: string): void {
  chargeFailure(conn);
  refuseAuth(conn, message);
}

/**
 * Reads the `authenticate` message and looks its credential up. Accepted (and under the per-key cap),
 * the connection opens: `authentication_success`, the admin token's expiry timer, then the frames held
 * behind `authenticate`, in order, through `replay`. Anything else refuses the connection.
 */
async function authenticate(conn: ConnectionContext, text: string, replay: ReplayHeldFrame): Promise<void> {
  const { deps, log } = conn;
  const clock = deps.clock;
  // At most MAX_AUTHENTICATE_FRAME_BYTES of text (admitBeforeAuth): parsing it is bounded.
  const decoding = decodeFrame(text, deps.maxInflatedBytes);
  if (!decoding.ok || decoding.value.message.type !== 'authenticate') {
    refuseUnreadable(conn, FIRST_MESSAGE_MUST_AUTHENTICATE);
    return;
  }
  const credential = credentialOf(decoding.value.message);
  if (!credential.ok) {
    refuseUnreadable(conn, credential.error.message);
    return;
  }
  const checkedAt = clock.now();
  let result: Result<Principal, Refusal>;
  try {
    result = await deps.authenticate(credential.value);
  } catch (error) {
    log.error('ws_auth_lookup_failed', { error });
    if (!isClosing(conn))
      refuseAuth(conn, 'the server could not check the credential; retry later', CLOSE.internalError);
    return;
  }
  // Charged even if the socket closed while the lookup ran (timed out, or sent what refuses it): the
  // work was done, and closing the socket must not make a guess free.
  if (!result.ok) chargeFailure(conn);
  if (isClosing(conn)) return;
  if (!result.ok) {
    log.info('ws_auth_failed', { reason: result.error.code });
    refuseAuth(conn, result.error.message);
    return;
  }
  const accepted = result.value;
  if (deps.registry.openWith(accepted) >= deps.maxConnectionsPerKey) {
    log.warn('ws_key_connection_cap', { principal: principalLabel(accepted) });
    const whose = accepted.kind === 'worker' ? 'this API key' : 'this admin';
    refuseAuth(
      conn,
      `too many open connections for ${whose} (at most ${deps.maxConnectionsPerKey}): close one or retry later`,
      CLOSE.tryAgainLater,
    );
    return;
  }
  conn.cancelAuthDeadline?.();
  conn.principal = accepted;
  const lease = createCredentialLease(
    clock,
    deps.credentialMaxAgeMs,
    () => deps.verifyCredential(accepted),
    (error) => log.warn('ws_credential_check_failed', { error }),
  );
  conn.lease = lease;
  lease.confirm(checkedAt);
  conn.phase = 'open';
  conn.tracked?.setPrincipal(accepted);
  log.info('ws_authenticated', { principal: principalLabel(accepted) });
  const speaksSync = protocolVersionOf(decoding.value.message) !== undefined;
  sendReply(conn, authenticationSuccess(accepted, clock.now(), speaksSync ? deps.privacyPolicy : undefined));
  if (accepted.kind === 'admin') {
    conn.cancelExpiry = startExpiryTimer(clock, accepted.expiresAt, () =>
      revokeConnection(conn, 'admin token expired'),
    );
  }
  // What an old client streamed behind `authenticate` is read now, in order, as if it arrived now.
  const behind = conn.held;
  conn.held = [];
  conn.heldBytes = 0;
  for (const frame of behind) {
    if (conn.phase !== 'open') break;
    replay(frame);
  }
}

/**
 * A frame of a connection not authenticated yet: the first is read as the `authenticate` message
 * (unless the address's failed-authentication budget is spent: then nothing is read or looked up), a
 * little text behind it is held unread, anything else refuses the connection (authentication.ts's
 * admitBeforeAuth decides; nothing is inflated or parsed for a socket without a valid key).
 */
export function receiveBeforeAuth(
  conn: ConnectionContext,
  data: WSMessageReceive,
  bytes: number,
  replay: ReplayHeldFrame,
): void {
  const text = typeof data === 'string';
  const first = conn.phase === 'awaiting_auth';
  const failures = conn.deps.authFailureLimiter;
  const address = addressBucket(conn.ip);
  const verdict = admitBeforeAuth({
    first,
    mayAuthenticate: !first || failures.hasToken(address),
    text,
    bytes,
    heldFrames: conn.held.length,
    heldBytes: conn.heldBytes,
  });
  if (verdict.kind === 'refuse') {
    conn.log.info('ws_refused_before_auth', { reason: verdict.message });
    if (verdict.why === 'failures_spent') {
      // Nothing wrong with this socket's credential (it was not read): the answer is "later", as for the caps.
      const seconds = retryAfterSeconds(failures, address);
      refuseAuth(conn, `${verdict.message}: retry in ${seconds} s`, CLOSE.tryAgainLater);
    } else if (verdict.why === 'not_authenticate') {
      refuseUnreadable(conn, verdict.message);
    } else {
      refuseAuth(conn, verdict.message);
    }
  } else if (verdict.kind === 'authenticate' && text) {
    conn.phase = 'authenticating';
    conn.authenticating = authenticate(conn, data, replay).catch((error: unknown) =>
      conn.log.error('ws_auth_failed_unexpectedly', { error }),
    );
  } else if (verdict.kind === 'hold' && text) {
    conn.held.push(data);
    conn.heldBytes += bytes;
  }
}
