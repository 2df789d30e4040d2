import type { Rng } from './rng';

/**
 * What case builders know about the run besides their own random stream: everything here follows from
 * the seed and the server's limits, so the plan does too.
 */
export interface PlanContext {
  /** Session ids of the honest workers (the attackers try them). */
  honestSessionIds: string[];
  /** Blob keys and SHA-256s of the honest workers' media. */
  honestBlobKeys: string[];
  honestSha256: string[];
  /** The fuzz server's MAX_FRAME_BYTES and MAX_BODY_BYTES. */
  maxFrameBytes: number;
  maxBodyBytes: number;
  /** The fuzz server's JWT secret (forged-credentials.ts: fuzzJwtSecret). */
  jwtSecret: string;
}

/** A session id of attacker `attacker`'s own, fresh for this case. */
export function ownSessionId(rng: Rng, attacker: 0 | 1): string {
  return `fz${attacker}_${rng.string(10)}`;
}

/** True when `text` names one of the honest sessions (a message still aimed at another worker). */
export function namesHonestSession(ctx: PlanContext, text: string): boolean {
  return ctx.honestSessionIds.some((id) => text.includes(id));
}
