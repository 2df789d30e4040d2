import type { Principal } from '../auth/principal';

/**
 * The bucket authenticated traffic is charged to: the worker (all its keys share one budget, wherever
 * they connect from) or the admin subject. Never the address: workers behind one NAT each have their own.
 */
export function principalBucket(principal: Principal): string {
  return principal.kind === 'worker' ? `worker:${principal.workerId}` : `admin:${principal.subject}`;
}

/** The bucket of a client address, for what arrives before (or without) a valid credential. */
export function addressBucket(ip: string): string {
  return `ip:${ip}`;
}
