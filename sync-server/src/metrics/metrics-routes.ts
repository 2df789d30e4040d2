import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { requireAuth } from '../auth/require-auth';
import type { AppEnv } from '../http/app-env';
import { rateLimitResponse } from '../http/rate-limit';
import { addressBucket } from '../http/rate-limit-keys';
import type { RateLimiter } from '../http/rate-limiter';
import type { Settings } from '../settings';
import { createAddressMatcher, isMetricsToken } from './metrics-access';
import type { ServerMetrics } from './server-metrics';

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/** The TCP peer's address: never X-Forwarded-For, which a client writes itself. */
function peerAddress(c: Context): string | undefined {
  return (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress;
}

function bearerOf(c: Context): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization')?.trim() ?? '');
  return match?.[1]?.trim();
}

async function answerScrape(c: Context, metrics: ServerMetrics): Promise<Response> {
  const { contentType, body } = await metrics.scrape();
  return c.body(body, 200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
}

/**
 * Serves `GET /metrics` to a scraper this server trusts without an account: one presenting
 * METRICS_TOKEN as a bearer, or one connecting from a METRICS_ALLOW_FROM network (its TCP peer
 * address). A request a proxy forwarded is served by network only when the client the trusted proxy
 * names (TRUST_PROXY) is inside too, and never when X-Forwarded-For arrives while no proxy is trusted:
 * a reverse proxy on the same host connects from loopback for everyone it forwards. Mounted before the
 * credential check, so the token is never looked up as an API key. Any other request falls through to
 * {@link metricsRoutes}, where an admin may scrape and anyone else is refused; a wrong token is then a
 * failed authentication, charged like any other. A trusted scrape is charged to its address's bucket
 * (`addressLimiter`), as a request without an account is: a leaked token cannot make the server render
 * metrics in a loop.
 */
export function serveMetricsToTrustedScrapers(
  settings: Pick<Settings, 'metricsToken' | 'metricsAllowFrom' | 'trustProxy'>,
  metrics: ServerMetrics,
  addressLimiter: RateLimiter,
): MiddlewareHandler<AppEnv> {
  const allowed = createAddressMatcher(settings.metricsAllowFrom);
  const token = settings.metricsToken;
  return async (c, next) => {
    if (c.req.path !== METRICS_PATH || c.req.method !== 'GET') return next();
    const bearer = bearerOf(c);
    const byToken = token !== undefined && bearer !== undefined && isMetricsToken(bearer, token);
    const peer = peerAddress(c);
    const forwarded = c.req.header('x-forwarded-for') !== undefined;
    const byNetwork =
      settings.metricsAllowFrom.length > 0 &&
      peer !== undefined &&
      allowed(peer) &&
      (!forwarded || (settings.trustProxy > 0 && allowed(c.get('clientIp'))));
    if (!byToken && !byNetwork) return next();
    const bucket = addressBucket(c.get('clientIp'));
    if (!addressLimiter.take(bucket)) return rateLimitResponse(c, addressLimiter, bucket);
    return answerScrape(c, metrics);
  };
}

/** `GET /metrics` for admins (JWT or console session); refusals are the usual 401 / 403 JSON. */
export function metricsRoutes(metrics: ServerMetrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(METRICS_PATH, requireAuth('admin'), (c) => answerScrape(c, metrics));
  return app;
}
