import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env';
import { refuseRequestOrUpgrade } from './upgrade-refusal';

/**
 * Where an instance is in its life: `starting` while it migrates the database (it already listens, so
 * liveness probes pass during a long migration), `ready` while it serves, `draining` once SIGTERM
 * started the graceful shutdown (a load balancer should send it nothing new).
 */
export type Readiness = 'starting' | 'ready' | 'draining';

/** The probes, answered in every state: liveness and readiness. */
const PROBE_PATHS: ReadonlySet<string> = new Set(['/health', '/health/ready']);

/**
 * Refuses everything but the probes while the instance is `starting`: the tables a route reads may not
 * exist yet. WebSocket upgrades get the JSON refusal on their socket, like every other refusal.
 */
export function refuseWhileStarting(readiness: () => Readiness): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (readiness() !== 'starting' || PROBE_PATHS.has(c.req.path)) return next();
    const refused = await refuseRequestOrUpgrade(
      c,
      'unavailable',
      'the server is starting (applying database migrations); try again in a few seconds',
    );
    refused.headers.set('Retry-After', '5');
    return refused;
  };
}
