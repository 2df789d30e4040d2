import {
  AuthenticateMessageSchema,
  fail,
  ok,
  validate,
  type Clock,
  type Failure,
  type Result,
} from '@codesight/schema';
import type { Credential, Principal } from '../auth/principal';
import type { Reply } from '../protocol/protocol-context';
import { unrefTimer } from '../timers';

/** What a connection whose first message is not `authenticate` is told before it is closed. */
export const FIRST_MESSAGE_MUST_AUTHENTICATE = 'first message must be {"type":"authenticate","apiKey":"..."}';

/** The credential an `authenticate` message carries, or why the message is not a valid one. */
export function credentialOf(message: unknown): Result<Credential, Failure<'validation_failed'>> {
  const checked = validate(AuthenticateMessageSchema, message);
  if (!checked.ok) return fail('validation_failed', `invalid authenticate message: ${checked.error.message}`);
  return ok({ apiKey: checked.value.apiKey, token: checked.value.token });
}

/** The `authentication_success` reply: admins get a pseudo worker id naming them. */
export function authenticationSuccess(principal: Principal, serverTime: number): Reply {
  return {
    type: 'authentication_success',
    workerId: principal.kind === 'worker' ? principal.workerId : `admin:${principal.subject}`,
    serverTime,
  };
}

/**
 * Calls `onExpired` once `timeoutMs` passed on `clock`, unless the returned cancel function ran first
 * (authentication succeeded, or the socket closed). A silent socket must not hold a connection forever.
 */
export function startAuthDeadline(clock: Clock, timeoutMs: number, onExpired: () => void): () => void {
  const handle = clock.setTimeout(onExpired, timeoutMs);
  unrefTimer(handle);
  return () => clock.clearTimeout(handle);
}
