import { systemClock, type Clock } from '@codesight/schema';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Kysely } from 'kysely';
import { adminAuthRoutes } from './admin-auth/admin-auth-routes';
import { createCookieSessionAuth } from './admin-auth/cookie-auth';
import { createAuthenticator, type Authenticator } from './auth/authenticator';
import { authenticateRequest } from './auth/require-auth';
import type { BlobStore } from './blobs/blob-store';
import type { CopyTransaction } from './db/copy-transaction';
import type { PoolStats } from './db/database';
import type { Database } from './db/schema';
import type { AppEnv } from './http/app-env';
import { bodyLimit } from './http/body-limit';
import { clientIp } from './http/client-ip';
import { allowedOrigin } from './http/cors-origin';
import { createProtocolContext } from './protocol/protocol-context';
import { drainUnreadBody, MAX_DRAIN_BYTES } from './http/drain-body';
import { errorResponse } from './http/errors';
import { hostCheck } from './http/host-check';
import { refuseWhileStarting, type Readiness } from './http/readiness';
import { createRateLimiter, type RateLimiter } from './http/rate-limiter';
import { requestLog } from './http/request-log';
import { createJobQueue } from './jobs/job-queue';
import type { JobRegistry } from './jobs/job-registry';
import { createServerJobRegistry } from './jobs/server-job-kinds';
import { createThumbnailRequests } from './jobs/thumbnails/request-thumbnails';
import { analyseOnClose } from './jobs/vision/request-analysis';
import { SCREENSHOT_ANALYSIS_KIND } from './jobs/vision/screenshot-analysis-job';
import { createLogger, type Logger } from './log';
import { createIngestMetrics, type IngestMetrics } from './metrics/ingest-metrics';
import { countBlobStoreErrors } from './metrics/counted-blob-store';
import { countRateLimitHits } from './metrics/counted-rate-limiter';
import { countIngestAnswers } from './metrics/ingest-metrics-middleware';
import { createInstanceMetrics } from './metrics/instance-metrics';
import { metricsRoutes, serveMetricsToTrustedScrapers } from './metrics/metrics-routes';
import type { ServerMetrics } from './metrics/server-metrics';
import { adminRoutes } from './routes/admin-routes';
import { analysisRoutes } from './routes/analysis-routes';
import { archiveRoutes } from './routes/archive-routes';
import { blobRoutes } from './routes/blob-routes';
import { consoleApiRoutes } from './routes/console-api-routes';
import { consoleRoutes } from './routes/console-routes';
import { datasetRoutes } from './routes/dataset-routes';
import { exportRoutes } from './routes/export-routes';
import { extensionRoutes } from './routes/extension-routes';
import { flowRoutes } from './routes/flow-routes';
import { healthRoutes } from './routes/health-routes';
import { jobRoutes } from './routes/job-routes';
import { legacyRoutes } from './routes/legacy-routes';
import { privacyRoutes } from './routes/privacy-routes';
import type { RouteDeps } from './routes/route-deps';
import { syncRoutes } from './routes/sync-routes';
import { uploadRoutes } from './routes/upload-routes';
import { isProduction, type Settings } from './settings';
import { createConnectionRegistry, type ConnectionRegistry } from './ws/connection-registry';
import { wsRoutes } from './ws/ws-routes';

/** What the app is built from. Everything stateful is passed in, so tests and main wire it their way. */
export interface AppDeps {
  settings: Settings;
  db: Kysely<Database>;
  dbKind: 'postgres' | 'pglite';
  /** COPY-capable transactions (PostgreSQL only): large sync batches are stored by COPY when given. */
  copyTransaction?: CopyTransaction | undefined;
  blobs: BlobStore;
  /** Default: JSON lines on stdout at `settings.logLevel`. */
  logger?: Logger;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: a fresh registry (main passes its own to ping and close sockets). */
  connections?: ConnectionRegistry;
  /**
   * Defaults: token buckets from settings (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_PER_MINUTE_IP,
   * RATE_LIMIT_AUTH_FAILURES_PER_MINUTE_IP). Shared by HTTP and sockets.
   */
  keyLimiter?: RateLimiter;
  ipLimiter?: RateLimiter;
  authFailureLimiter?: RateLimiter;
  authenticator?: Authenticator;
  /** Default: never. main flips it when shutdown starts. */
  isShuttingDown?: () => boolean;
  /**
   * Default: `ready`, or `draining` once isShuttingDown. main passes `starting` while it migrates, when
   * everything but the health probes is refused.
   */
  readiness?: () => Readiness;
  /** The job kinds that may be enqueued. Default: the server's ({@link createServerJobRegistry}). */
  jobs?: JobRegistry;
  /** Default: fresh counters (this instance's, shown by the admin console). */
  ingestMetrics?: IngestMetrics;
  /** The database pool's use, for /metrics; absent for the embedded database. */
  poolStats?: (() => PoolStats) | undefined;
  /**
   * Default: this app's own (createInstanceMetrics). main passes the one its blob store (shared with the
   * job runner and the sweeps) already counts errors into.
   */
  metrics?: ServerMetrics;
  /** Where the built admin console is; default sync-server/console/dist. */
  consoleDir?: string;
}

/** Headers the API reads, allowed in CORS preflights. */
const CORS_ALLOW_HEADERS = ['Authorization', 'X-API-Key', 'Content-Type', 'Content-Encoding', 'X-Request-Id'];
/** How long browsers may cache a preflight answer (10 minutes). */
const CORS_MAX_AGE_S = 600;
/**
 * `PUT /api/upload/:id`: the upload id is the credential (upload-routes.ts), and a 404 answers a wrong or
 * expired one. `/api/upload/url` and `/complete` are POSTs with a worker key.
 */
const isUploadPut = (c: Context<AppEnv>) => c.req.method === 'PUT' && c.req.path.startsWith('/api/upload/');
/** Request ids accepted from clients are bounded and plain, so they are safe to log. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Builds the Hono app: middleware (request id, logging, secure headers, CORS, credential check and rate
 * limits, body size limit), the legacy and batch HTTP API, and the WebSocket endpoints. Does not listen;
 * main.ts (or a test with `app.request`) does.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { settings } = deps;
  const logger = deps.logger ?? createLogger(settings.logLevel);
  const clock = deps.clock ?? systemClock;
  const connections = deps.connections ?? createConnectionRegistry(clock);
  const metrics = deps.metrics ?? createInstanceMetrics({ connections, db: deps.db, clock, poolStats: deps.poolStats });
  const blobs = countBlobStoreErrors(deps.blobs, (operation) => metrics.blobStoreError(operation));
  const jobs = deps.jobs ?? createServerJobRegistry({ db: deps.db, blobs, settings });
  const jobQueue = createJobQueue({ db: deps.db, registry: jobs, clock });
  const thumbnails = createThumbnailRequests({ queue: jobQueue, db: deps.db, clock, logger });
  // Only when the job kind is registered: an enqueue of an unknown kind would only log a warning.
  const onClose = jobs.get(SCREENSHOT_ANALYSIS_KIND) ? analyseOnClose(jobQueue, logger) : undefined;
  const routeDeps: RouteDeps = {
    settings,
    db: deps.db,
    dbKind: deps.dbKind,
    blobs,
    logger,
    clock,
    auth:
      deps.authenticator ??
      createAuthenticator({ db: deps.db, jwtSecret: settings.jwtSecret, production: isProduction(settings) }),
    keyLimiter: countRateLimitHits(deps.keyLimiter ?? createRateLimiter(settings.rateLimitPerMinute, clock), () =>
      metrics.rateLimitHit('principal'),
    ),
    ipLimiter: countRateLimitHits(deps.ipLimiter ?? createRateLimiter(settings.rateLimitPerMinuteIp, clock), () =>
      metrics.rateLimitHit('address'),
    ),
    authFailureLimiter: countRateLimitHits(
      deps.authFailureLimiter ?? createRateLimiter(settings.rateLimitAuthFailuresPerMinuteIp, clock),
      () => metrics.rateLimitHit('auth_failure'),
    ),
    protocol: createProtocolContext(
      { db: deps.db, copyTransaction: deps.copyTransaction, blobs, logger, thumbnails, analyseOnClose: onClose },
      settings,
    ),
    connections,
    ingestMetrics: deps.ingestMetrics ?? createIngestMetrics(clock, metrics.ingestObserver),
    metrics,
    jobQueue,
    thumbnails,
    startedAt: clock.now(),
    isShuttingDown: deps.isShuttingDown ?? (() => false),
  };

  const app = new Hono<AppEnv>();

  app.use(
    requestId({
      generator: (c) => {
        const sent = c.req.header('x-request-id');
        return sent && REQUEST_ID_PATTERN.test(sent) ? sent : crypto.randomUUID();
      },
    }),
  );
  app.use(async (c, next) => {
    c.set('clientIp', clientIp(c, settings.trustProxy));
    await next();
  });
  app.use(requestLog(logger));
  app.use(async (_c, next) => {
    const done = metrics.httpRequestStarted();
    try {
      await next();
    } finally {
      done();
    }
  });
  // Outside the credential check and limits, so their refusals of ingest requests are counted too.
  app.use(countIngestAnswers(routeDeps.ingestMetrics, metrics));
  // Before anything that can refuse: a refusal must reach a client still sending its body.
  app.use(drainUnreadBody(MAX_DRAIN_BYTES));
  app.use(secureHeaders());
  // Before CORS and every route, WebSocket upgrades included: a DNS-rebound page must get nothing.
  app.use(hostCheck(settings));
  app.use(
    cors({
      origin: (origin) => allowedOrigin(origin, settings.corsOrigins),
      allowHeaders: CORS_ALLOW_HEADERS,
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'OPTIONS'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: CORS_MAX_AGE_S,
    }),
  );
  const readiness = deps.readiness ?? (() => (routeDeps.isShuttingDown() ? 'draining' : 'ready'));
  // Before the metrics and the credential check, which read tables a migration may be creating.
  app.use(refuseWhileStarting(readiness));
  // Before the credential check: METRICS_TOKEN is not an API key to look up (metrics-routes.ts).
  app.use(serveMetricsToTrustedScrapers(settings, metrics, routeDeps.ipLimiter));
  app.use(
    authenticateRequest({
      auth: routeDeps.auth,
      keyLimiter: routeDeps.keyLimiter,
      addressLimiter: routeDeps.ipLimiter,
      authFailureLimiter: routeDeps.authFailureLimiter,
      isCapabilityRequest: isUploadPut,
      sessions: createCookieSessionAuth({ db: deps.db, settings, clock }),
    }),
  );
  app.use('/api/*', bodyLimit({ maxBytes: settings.maxBodyBytes, maxDrainBytes: MAX_DRAIN_BYTES }));

  app.route('/', healthRoutes(routeDeps, readiness));
  app.route('/', metricsRoutes(metrics));
  app.route('/', wsRoutes(routeDeps));
  app.route('/api/extension', extensionRoutes(routeDeps));
  app.route('/api/sync', syncRoutes(routeDeps));
  app.route('/api/upload', uploadRoutes(routeDeps));
  app.route('/api/blobs', blobRoutes(routeDeps));
  app.route('/api', legacyRoutes(routeDeps));
  app.route('/api', adminRoutes(routeDeps));
  app.route('/api', privacyRoutes(routeDeps));
  app.route('/api', jobRoutes(routeDeps));
  app.route('/api', archiveRoutes(routeDeps, jobQueue));
  app.route('/api', analysisRoutes(routeDeps, jobQueue));
  app.route('/api', datasetRoutes(routeDeps));
  app.route('/api', exportRoutes(routeDeps));
  app.route('/admin/api', adminAuthRoutes(routeDeps));
  app.route('/api', flowRoutes(routeDeps));
  app.route('/api', consoleApiRoutes(routeDeps));
  app.route('/admin', consoleRoutes(deps.consoleDir));

  app.notFound((c) => errorResponse(c, 'not_found', `no route ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    logger.error('http_unhandled', {
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      error: err,
    });
    return errorResponse(c, 'internal', 'internal server error');
  });
  return app;
}
