import { upgradeWebSocket } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/app-env';
import { allowedSocketOrigin } from '../http/cors-origin';
import { refuseRequestOrUpgrade } from '../http/upgrade-refusal';
import { errorBody } from '../http/errors';
import { dispatchMessage } from '../protocol/dispatch';
import type { RouteDeps } from '../routes/route-deps';
import { createConnectionEvents, type ConnectionDeps } from './connection';
import { createCredentialWatch } from './credential-watch';

/** The socket paths: `/ws` (legacy backend record) and `/extension-ws` (legacy collector README). */
export const WS_PATHS = ['/ws', '/extension-ws'] as const;

/** Longest Origin value echoed back in a refusal. */
const MAX_ECHOED_ORIGIN = 100;

/**
 * The WebSocket endpoints. Authentication happens in the first message, not the upgrade request
 * (old clients send the key that way), so the upgrade is open to any client that is not a page of a
 * foreign origin; the Host check and the address's rate limit (an upgrade carries no credential) still apply.
 */
export function wsRoutes(deps: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const watch = createCredentialWatch({
    registry: deps.connections,
    db: deps.db,
    databaseUrl: deps.dbKind === 'postgres' ? deps.settings.databaseUrl : undefined,
    clock: deps.clock,
    logger: deps.logger,
    checkEveryMs: deps.settings.credentialCheckMs,
  });
  const connectionDeps: ConnectionDeps = {
    authenticate: async (credential) => {
      const result = await deps.auth.authenticate(credential);
      if (result.ok) watch.start();
      return result;
    },
    verifyCredential: (principal) => watch.verify(principal),
    privacyPolicy: deps.settings.privacyPolicy,
    handleMessage: async (principal, message) => {
      try {
        const reply = await dispatchMessage(deps.protocol, principal, message);
        deps.ingestMetrics.recordReply(reply);
        return reply;
      } catch (error) {
        // Answered `internal` by the pipeline (message-reply.ts); counted here, where the reply is not seen.
        deps.ingestMetrics.recordRefusal('internal');
        throw error;
      }
    },
    registry: deps.connections,
    keyLimiter: deps.keyLimiter,
    authFailureLimiter: deps.authFailureLimiter,
    logger: deps.logger,
    clock: deps.clock,
    authTimeoutMs: deps.settings.authTimeoutMs,
    maxInflatedBytes: deps.settings.maxInflatedBytes,
    maxPendingAuth: deps.settings.wsMaxPendingAuth,
    maxPendingAuthPerIp: deps.settings.wsMaxPendingAuthPerIp,
    maxConnectionsPerKey: deps.settings.wsMaxConnectionsPerKey,
    // Twice the re-check interval: the periodic check renews leases before messages need a lookup.
    credentialMaxAgeMs: 2 * deps.settings.credentialCheckMs,
    observer: {
      frameAdmitted: (bytes) => deps.metrics.ingestBytes('ws', bytes),
      answered: (type, seconds) => {
        if (type === 'batch') deps.metrics.batchAnswered('ws', seconds);
      },
    },
  };
  const upgrade = upgradeWebSocket((c: Context<AppEnv>) =>
    createConnectionEvents(connectionDeps, c.get('clientIp') ?? 'unknown'),
  );

  for (const path of WS_PATHS) {
    app.get(path, async (c, next) => {
      if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
        return c.json(
          errorBody('bad_request', `${path} is a WebSocket endpoint: connect with a WebSocket client`),
          426,
          { Upgrade: 'websocket' },
        );
      }
      const origin = c.req.header('origin');
      if (!allowedSocketOrigin(origin, deps.settings.corsOrigins)) {
        const shown = JSON.stringify((origin ?? '').slice(0, MAX_ECHOED_ORIGIN));
        return refuseRequestOrUpgrade(
          c,
          'forbidden',
          `WebSocket origin ${shown} is not allowed: only the extension (chrome-extension://) and CORS_ORIGINS may connect from a browser`,
        );
      }
      if (deps.isShuttingDown())
        return refuseRequestOrUpgrade(c, 'unavailable', 'server is shutting down; reconnect shortly');
      return upgrade(c, next);
    });
  }
  return app;
}
