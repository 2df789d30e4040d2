import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { systemClock, type Clock } from '@codesight/schema';
import { serve, type ServerType } from '@hono/node-server';
import { WebSocketServer } from 'ws';
import { createApp } from './app';
import { DEV_API_KEY } from './auth/api-keys';
import type { BlobStore } from './blobs/blob-store';
import { createFsBlobStore } from './blobs/fs-blob-store';
import { createS3BlobStore } from './blobs/s3-blob-store';
import { createDatabase } from './db/database';
import { migrateOnce } from './db/migrate-once';
import { answerClientError } from './http/client-error';
import type { Readiness } from './http/readiness';
import { startAbandonSweep } from './ingest/abandon-sweep';
import { startUploadSweep } from './ingest/upload-sweep';
import { createJobRunner } from './jobs/job-runner';
import { createServerJobRegistry } from './jobs/server-job-kinds';
import { createLogger, type Logger } from './log';
import { countBlobStoreErrors } from './metrics/counted-blob-store';
import { createInstanceMetrics } from './metrics/instance-metrics';
import { describeSettingsErrors, isProduction, loadSettings, type Settings } from './settings';
import { describeStartup, formatStartupSummary } from './startup-summary';
import { createConnectionRegistry } from './ws/connection-registry';
import { startHeartbeat } from './ws/heartbeat';
import { waitAtMost } from './timers';
import { WS_PATHS } from './ws/ws-routes';

/** A running server, as returned by {@link startServer}. */
export interface RunningServer {
  /** `http://host:port`, with 127.0.0.1 standing in for a wildcard host. */
  url: string;
  port: number;
  /** `ws://host:port/ws` and `ws://host:port/extension-ws`. */
  wsUrls: string[];
  dbKind: 'postgres' | 'pglite';
  /**
   * Graceful shutdown: not ready, stop accepting, close sockets (1001, so clients reconnect to another
   * instance), finish in-flight writes, requests and jobs for at most half of SHUTDOWN_TIMEOUT_MS each
   * wait, close the db. Idempotent.
   */
  close(): Promise<void>;
}

/** Optional collaborators of {@link startServer}. */
export interface StartServerOptions {
  /** Default: JSON lines on stdout at `settings.logLevel`. */
  logger?: Logger;
  /** Time for the server's timers (socket auth deadline, heartbeat, abandon sweep, shutdown drain). Default: the system clock. */
  clock?: Clock;
}

/**
 * Shutdown waits twice in turn (sockets' in-flight messages, then HTTP requests; jobs meanwhile), each
 * at most this share of SHUTDOWN_TIMEOUT_MS, leaving the rest for closing the database.
 */
const DRAIN_SHARE = 0.4;

function createBlobStore(settings: Settings): BlobStore {
  if (!settings.s3) return createFsBlobStore({ dataDir: settings.dataDir });
  return createS3BlobStore({
    bucket: settings.s3.bucket,
    endpoint: settings.s3.endpoint,
    region: settings.s3.region,
    forcePathStyle: settings.s3.forcePathStyle,
  });
}

function listen(server: ServerType): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Opens the database (PGlite under DATA_DIR without DATABASE_URL) and migrates it, opens the blob
 * store (S3 with S3_BUCKET, else the file system under DATA_DIR), and serves the app with its
 * WebSocket endpoints. Also runs the socket heartbeat, the abandoned-session sweep and the sweep of
 * expired uploads.
 */
export async function startServer(settings: Settings, options: StartServerOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(settings.logLevel);
  const clock = options.clock ?? systemClock;
  const database = await createDatabase({
    databaseUrl: settings.databaseUrl,
    dataDir: settings.dataDir,
    onPoolError: (err) => logger.error('database_pool_error', { error: err }),
  });
  let server: ServerType | undefined;
  try {
    // Listening before migrating: probes see a live, not-ready instance during a long migration, and
    // every other request is refused with a 503 (http/readiness.ts).
    let readiness: Readiness = 'starting';
    const connections = createConnectionRegistry(clock);
    const metrics = createInstanceMetrics({ connections, db: database.db, clock, poolStats: database.poolStats });
    // Counted once, here: the job runner (archives) and the sweeps use the store too, not only requests.
    const blobs = countBlobStoreErrors(createBlobStore(settings), (operation) => metrics.blobStoreError(operation));
    const jobs = createServerJobRegistry({ db: database.db, blobs, settings });
    let shuttingDown = false;
    const app = createApp({
      settings,
      db: database.db,
      dbKind: database.kind,
      copyTransaction: database.copyTransaction,
      poolStats: database.poolStats,
      metrics,
      blobs,
      logger,
      clock,
      connections,
      isShuttingDown: () => shuttingDown,
      readiness: () => readiness,
      jobs,
    });

    // maxPayload: the ws library refuses a larger frame itself, closing with 1009 before buffering it.
    const wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxFrameBytes });
    server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host, websocket: { server: wss } });
    // Parser refusals (headers too large, malformed requests) answered as JSON, without a reset.
    server.on('clientError', answerClientError);
    const address = await listen(server);
    const httpServer = server;

    // Who migrated, in the log of each instance: one says migrations_applied, the others that they
    // waited for it (or found nothing to do).
    const instance = { host: hostname(), pid: process.pid, port: address.port };
    const migrated = await migrateOnce(database.db, database.kind, {
      clock,
      onWaiting: () => logger.info('migrations_waiting', { ...instance, note: 'another instance is migrating' }),
    });
    if (migrated.applied.length > 0)
      logger.info('migrations_applied', { ...instance, applied: migrated.applied, waitedMs: migrated.waitedMs });
    else logger.info('migrations_up_to_date', { ...instance, waitedMs: migrated.waitedMs });

    const heartbeat = startHeartbeat(connections, clock, settings.heartbeatMs, logger);
    const sweep = startAbandonSweep({
      db: database.db,
      clock,
      everyMs: settings.abandonSweepMs,
      afterMinutes: settings.abandonAfterMinutes,
      logger,
    });
    const uploadSweep = startUploadSweep({ db: database.db, blobs, clock, everyMs: settings.uploadSweepMs, logger });
    const jobRunner = createJobRunner({
      db: database.db,
      registry: jobs,
      clock,
      logger,
      concurrency: settings.jobsConcurrency,
      pollMs: settings.jobsPollMs,
    });
    if (settings.jobsConcurrency > 0) jobRunner.start();
    readiness = 'ready';

    const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
    const hostPart = host.includes(':') ? `[${host}]` : host;
    const url = `http://${hostPart}:${address.port}`;
    const wsUrls = WS_PATHS.map((path) => `ws://${hostPart}:${address.port}${path}`);
    logger.info('server_started', { url, wsUrls, database: database.kind, blobStore: blobs.kind, host: settings.host });

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        shuttingDown = true;
        readiness = 'draining';
        const drainMs = Math.round(settings.shutdownTimeoutMs * DRAIN_SHARE);
        logger.info('server_stopping', { connections: connections.counts().open, drainMs });
        const heartbeatStopped = heartbeat.stop();
        const sweepStopped = sweep.stop();
        const uploadSweepStopped = uploadSweep.stop();
        // Takes no new job; one still running after the drain time is handed back to the queue.
        const jobsStopped = jobRunner.stop(drainMs);
        const httpClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        if ('closeIdleConnections' in httpServer) httpServer.closeIdleConnections();
        await connections.closeAll('server shutting down', drainMs);
        await waitAtMost(clock, drainMs, httpClosed);
        if ('closeAllConnections' in httpServer) httpServer.closeAllConnections();
        wss.close();
        await Promise.all([heartbeatStopped, sweepStopped, uploadSweepStopped, jobsStopped]);
        await database.close();
        logger.info('server_stopped');
      })();
      return closing;
    };

    return { url, port: address.port, wsUrls, dbKind: database.kind, close };
  } catch (err) {
    server?.close();
    await database.close().catch(() => {});
    throw err;
  }
}

/** The one human-readable line printed at start. */
function banner(settings: Settings, running: RunningServer): string {
  const dev = isProduction(settings) ? '' : `; development key: ${DEV_API_KEY}`;
  return `CodeSight sync server on ${running.url} (WebSocket: ${running.wsUrls.join(', ')}; database: ${running.dbKind})${dev}`;
}

async function main(): Promise<void> {
  const loaded = loadSettings(process.env);
  if (!loaded.ok) {
    process.stderr.write(`${describeSettingsErrors(loaded.error)}\n`);
    process.exit(1);
  }
  const settings = loaded.value;
  const logger = createLogger(settings.logLevel);
  // Every handler catches its own errors; this is the net for a bug that lets one slip, so one bad
  // promise is logged instead of taking every worker's connection down with the process.
  process.on('unhandledRejection', (reason) => logger.error('unhandled_rejection', { error: reason }));
  if (settings.jwtSecretIsDevDefault)
    logger.warn('jwt_dev_secret', { note: 'JWT_SECRET unset: using the public development secret' });
  for (const name of settings.legacyNames) logger.warn('setting_legacy_name', { ...name });
  if (settings.devCredentialsOffLoopback) {
    // On stderr as well as in the log: LOG_LEVEL=error must not hide that the server is open to everyone.
    const note = `anyone who can reach ${settings.host} gets admin access with the public development key and JWT secret`;
    logger.warn('dev_credentials_off_loopback', { host: settings.host, note });
    process.stderr.write(
      `WARNING: ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK=true: ${note}. Never do this on a shared network.\n`,
    );
  }
  let running: RunningServer;
  try {
    running = await startServer(settings, { logger });
  } catch (err) {
    logger.error('server_start_failed', { error: err });
    process.stderr.write(`Could not start the server: ${(err as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${banner(settings, running)}\n`);
  const summary = describeStartup(settings, running.port);
  process.stdout.write(formatStartupSummary(summary));
  logger.info('server_config', { ...summary });
  const stop = (signal: NodeJS.Signals) => {
    logger.info('signal_received', { signal, shutdownTimeoutMs: settings.shutdownTimeoutMs });
    // The bound a process manager can rely on (systemd's TimeoutStopSec, Kubernetes' grace period): a
    // drain that hangs (a stuck query, a blob store that stopped answering) ends in exit 1, not a SIGKILL.
    setTimeout(() => {
      logger.error('shutdown_timeout', { shutdownTimeoutMs: settings.shutdownTimeoutMs });
      process.exit(1);
    }, settings.shutdownTimeoutMs).unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('shutdown_failed', { error: err });
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  void main();
}
