import type { Principal } from '../auth/principal';
import type { Refusal } from '../refusal';

/**
 * What the credential check of a request found (`authenticateRequest`): no credential sent, a valid
 * one (`principal` is set), a refused one, or none known because the check itself failed (database
 * down: a route that needs the principal answers 500, a public one is served).
 */
export type RequestCredential =
  { kind: 'none' } | { kind: 'valid' } | { kind: 'refused'; refusal: Refusal } | { kind: 'unchecked'; error: unknown };

/** Per-request values set by middleware. */
export interface AppVariables {
  requestId: string;
  /** Set by `authenticateRequest` when the request's credential is valid. */
  principal: Principal;
  /** Set by `authenticateRequest`, read by `requireAuth`. */
  credential: RequestCredential;
  /** Client IP as decided by `clientIp` (honours TRUST_PROXY). */
  clientIp: string;
}

/** The Hono environment of the app: `c.get('principal')` etc. are typed through it. */
export interface AppEnv {
  Variables: AppVariables;
}
