import type { Principal } from '../auth/principal';

/** Per-request values set by middleware. */
export interface AppVariables {
  requestId: string;
  /** Set by `requireAuth`. */
  principal: Principal;
  /** Client IP as decided by `clientIp` (honours TRUST_PROXY). */
  clientIp: string;
}

/** The Hono environment of the app: `c.get('principal')` etc. are typed through it. */
export interface AppEnv {
  Variables: AppVariables;
}
