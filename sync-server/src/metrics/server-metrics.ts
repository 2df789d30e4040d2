import { ERROR_CODES } from '@codesight/schema';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../db/database';
import type { IngestObserver } from './ingest-metrics';
import type { JobDepth } from './job-depth';
import { processMetricsRegistry } from './process-metrics';

/** How a socket's connection is counted: by the protocol of its data messages, `pending` before the first. */
export type SocketProtocol = 'sync' | 'legacy' | 'pending';

const INGEST_TRANSPORTS = ['ws', 'http'] as const;
/** Where ingested bytes and batches arrive. */
export type IngestTransport = (typeof INGEST_TRANSPORTS)[number];

const LIMITERS = ['principal', 'address', 'auth_failure'] as const;
/** The rate limiters of the app (see app.ts): per principal, per address, failed authentications per address. */
export type LimiterName = (typeof LIMITERS)[number];

/** The upload kinds (UploadRequest's `kind`). */
const MEDIA_KINDS = ['screenshot', 'audio', 'video'] as const;
const VERIFICATION_FAILURES = ['missing', 'mismatch'] as const;
/** The operations counted-blob-store.ts names. */
const BLOB_OPERATIONS = [
  'put',
  'head',
  'get',
  'get_stream',
  'put_stream',
  'delete',
  'move',
  'create_upload_url',
  'check',
] as const;

/**
 * Batch ack latency buckets, in seconds (Prometheus' base unit). A batch of a few dozen events is
 * acknowledged in about a millisecond on PostgreSQL, so the buckets are fine around 1 ms and reach
 * 10 s for a large batch stored behind a busy database.
 */
const BATCH_ACK_BUCKETS_S = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** What is read when Prometheus scrapes, rather than counted as it happens. */
export interface ScrapeSources {
  /** Open sockets by protocol (the connection registry). */
  sockets(): Record<SocketProtocol, number>;
  /** The job queue's depth (cached, see job-depth.ts); rejects when the database cannot tell. */
  jobDepth(): Promise<JobDepth>;
  /** The database pool's use; undefined for the embedded database (one connection, no pool). */
  pool(): PoolStats | undefined;
}

/**
 * This instance's Prometheus metrics. Counters are fed where things happen (the ingest counters of the
 * admin console feed theirs through {@link ServerMetrics.ingestObserver}, so nothing is counted twice);
 * gauges of state held elsewhere are read at scrape time.
 */
export interface ServerMetrics {
  /** Feeds the console's in-memory ingest counters' events into the Prometheus ones. */
  readonly ingestObserver: IngestObserver;
  /** Marks an HTTP request in flight; call the returned function when it is answered. */
  httpRequestStarted(): () => void;
  /** Wire bytes of data messages and ingest request bodies received (before inflating). */
  ingestBytes(transport: IngestTransport, bytes: number): void;
  /** A `batch` answered (ack or refusal), `seconds` after it arrived. */
  batchAnswered(transport: IngestTransport, seconds: number): void;
  rateLimitHit(limiter: LimiterName): void;
  /** A media upload verified and recorded (`kind`: screenshot, audio, video). */
  mediaUploaded(kind: string): void;
  /** An upload whose bytes were missing or not the announced ones. */
  mediaVerificationFailed(reason: (typeof VERIFICATION_FAILURES)[number]): void;
  /** A blob store operation that threw (disk full, bucket unreachable, access denied). */
  blobStoreError(operation: string): void;
  /** The Prometheus text exposition of this instance and its process. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** Creates the metrics of one app; `sources` are read on every scrape. */
export function createServerMetrics(sources: ScrapeSources): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];

  const storedEvents = new Counter({
    name: 'codesight_ingest_events_total',
    help: 'Events stored (new rows; duplicates of a resent batch are not counted).',
    registers,
  });
  const refusals = new Counter({
    name: 'codesight_ingest_refusals_total',
    help: 'Ingest messages and requests refused or failed, by error code.',
    labelNames: ['code'],
    registers,
  });
  const bytes = new Counter({
    name: 'codesight_ingest_bytes_total',
    help: 'Wire bytes of ingest messages and request bodies received, before inflating.',
    labelNames: ['transport'],
    registers,
  });
  const batchAck = new Histogram({
    name: 'codesight_batch_ack_seconds',
    help: 'Time from a batch arriving to its answer being sent.',
    labelNames: ['transport'],
    buckets: BATCH_ACK_BUCKETS_S,
    registers,
  });
  const rateLimited = new Counter({
    name: 'codesight_rate_limit_hits_total',
    help: 'Requests and socket messages refused by a rate limiter, by limiter.',
    labelNames: ['limiter'],
    registers,
  });
  const mediaUploads = new Counter({
    name: 'codesight_media_uploads_total',
    help: 'Media recorded as new, by kind: uploads verified by size and SHA-256, and legacy inline screenshots.',
    labelNames: ['kind'],
    registers,
  });
  const mediaVerificationFailures = new Counter({
    name: 'codesight_media_verification_failures_total',
    help: 'Upload completions whose bytes were missing or not the announced size and SHA-256.',
    labelNames: ['reason'],
    registers,
  });
  const blobErrors = new Counter({
    name: 'codesight_blob_store_errors_total',
    help: 'Blob store operations that failed (disk, bucket), by operation.',
    labelNames: ['operation'],
    registers,
  });
  let httpInFlight = 0;
  new Gauge({
    name: 'codesight_open_connections',
    help: 'Open connections by protocol: sockets by the protocol of their messages (ws_pending before the first), HTTP requests in flight.',
    labelNames: ['protocol'],
    registers,
    collect() {
      const sockets = sources.sockets();
      this.set({ protocol: 'ws_sync' }, sockets.sync);
      this.set({ protocol: 'ws_legacy' }, sockets.legacy);
      this.set({ protocol: 'ws_pending' }, sockets.pending);
      this.set({ protocol: 'http' }, httpInFlight);
    },
  });
  const jobsDepth = new Gauge({
    name: 'codesight_jobs',
    help: `Live jobs by state and kind (counted up to the cap in codesight_jobs_count_cap).`,
    labelNames: ['state', 'kind'],
    registers,
  });
  const jobsCap = new Gauge({
    name: 'codesight_jobs_count_cap',
    help: 'Most live jobs counted per scrape; a depth at the cap means at least that many.',
    registers,
  });
  const jobsOldestDue = new Gauge({
    name: 'codesight_jobs_oldest_due_age_seconds',
    help: 'How long the oldest due queued job has been waiting (0 when none is due).',
    registers,
  });
  const jobsReadErrors = new Counter({
    name: 'codesight_jobs_depth_read_errors_total',
    help: 'Scrapes whose job queue read failed (the job gauges are then absent).',
    registers,
  });
  const poolClients = new Gauge({
    name: 'codesight_db_pool_clients',
    help: 'Database pool connections by state (in_use, idle); requests waiting for one (waiting).',
    labelNames: ['state'],
    registers,
  });
  const poolMax = new Gauge({
    name: 'codesight_db_pool_max',
    help: 'Most connections the database pool opens (1 for the embedded database).',
    registers,
  });

  // Every series whose labels are known up front starts at 0: Prometheus' rate() and increase() miss the
  // first increments of a series that appears only when it is first counted, and alerts would miss them.
  for (const code of ERROR_CODES) refusals.inc({ code }, 0);
  for (const transport of INGEST_TRANSPORTS) {
    bytes.inc({ transport }, 0);
    batchAck.zero({ transport });
  }
  for (const limiter of LIMITERS) rateLimited.inc({ limiter }, 0);
  for (const kind of MEDIA_KINDS) mediaUploads.inc({ kind }, 0);
  for (const reason of VERIFICATION_FAILURES) mediaVerificationFailures.inc({ reason }, 0);
  for (const operation of BLOB_OPERATIONS) blobErrors.inc({ operation }, 0);

  const merged = Registry.merge([registry, processMetricsRegistry()]);

  const readScrapeTimeGauges = async () => {
    const pool = sources.pool();
    poolClients.reset();
    if (pool) {
      poolMax.set(pool.max);
      poolClients.set({ state: 'in_use' }, pool.total - pool.idle);
      poolClients.set({ state: 'idle' }, pool.idle);
      poolClients.set({ state: 'waiting' }, pool.waiting);
    } else poolMax.set(1);
    jobsDepth.reset();
    jobsCap.reset();
    jobsOldestDue.reset();
    try {
      const depth = await sources.jobDepth();
      for (const row of depth.live) jobsDepth.set({ state: row.state, kind: row.kind }, row.count);
      jobsCap.set(depth.countCap);
      jobsOldestDue.set(depth.oldestDueAgeSeconds);
    } catch {
      // The gauges stay absent (an alert on them sees no data); the counter says why.
      jobsReadErrors.inc();
    }
  };

  return {
    ingestObserver: {
      stored: (count) => storedEvents.inc(count),
      refused: (code) => refusals.inc({ code }),
      inlineScreenshotsStored: (count) => mediaUploads.inc({ kind: 'screenshot' }, count),
    },
    httpRequestStarted() {
      httpInFlight++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        httpInFlight--;
      };
    },
    ingestBytes: (transport, n) => {
      if (n > 0) bytes.inc({ transport }, n);
    },
    batchAnswered: (transport, seconds) => batchAck.observe({ transport }, seconds),
    rateLimitHit: (limiter) => rateLimited.inc({ limiter }),
    mediaUploaded: (kind) => mediaUploads.inc({ kind }),
    mediaVerificationFailed: (reason) => mediaVerificationFailures.inc({ reason }),
    blobStoreError: (operation) => blobErrors.inc({ operation }),
    async scrape() {
      await readScrapeTimeGauges();
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}
