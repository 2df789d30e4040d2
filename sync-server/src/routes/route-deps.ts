import type { Clock } from '@codesight/schema';
import type { Kysely } from 'kysely';
import type { Authenticator } from '../auth/authenticator';
import type { BlobStore } from '../blobs/blob-store';
import type { Database } from '../db/schema';
import type { RateLimiter } from '../http/rate-limiter';
import type { Logger } from '../log';
import type { JobQueue } from '../jobs/job-queue';
import type { ThumbnailRequests } from '../jobs/thumbnails/request-thumbnails';
import type { IngestMetrics } from '../metrics/ingest-metrics';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { ProtocolContext } from '../protocol/protocol-context';
import type { Settings } from '../settings';
import type { ConnectionRegistry } from '../ws/connection-registry';

/** Everything route modules use; built once by createApp. */
export interface RouteDeps {
  settings: Settings;
  db: Kysely<Database>;
  dbKind: 'postgres' | 'pglite';
  blobs: BlobStore;
  logger: Logger;
  /** Time for uptime, health-check deadlines and the sockets' timers. */
  clock: Clock;
  auth: Authenticator;
  /** Per principal (worker or admin subject): its HTTP requests and socket messages share it. */
  keyLimiter: RateLimiter;
  /** Per client IP: HTTP requests without a credential (WebSocket upgrades included). */
  ipLimiter: RateLimiter;
  /** Per client IP: failed authentications, HTTP and socket alike. */
  authFailureLimiter: RateLimiter;
  protocol: ProtocolContext;
  connections: ConnectionRegistry;
  /** This instance's ingest counters (stored events, refusals), for the admin console. */
  ingestMetrics: IngestMetrics;
  /** This instance's Prometheus metrics (GET /metrics). */
  metrics: ServerMetrics;
  /** Enqueues background jobs of the server's kinds. */
  jobQueue: JobQueue;
  /** Asks for a session's screenshot thumbnails (after an upload, or when the console shows it). */
  thumbnails: ThumbnailRequests;
  /** Epoch ms the app was created, for uptime. */
  startedAt: number;
  /** True once shutdown began: new sockets are refused. */
  isShuttingDown: () => boolean;
}
