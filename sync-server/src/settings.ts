import * as v from 'valibot';
import { describeIssues, err, ok, type Result } from '@codesight/schema';

/**
 * Server settings, read once from the environment at start and validated with valibot. Every setting
 * has a default (documented in docs/server.md) except the ones production must set on purpose.
 */

/** Log levels, most verbose first; `silent` logs nothing. */
const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Values of NODE_ENV; only `production` changes behaviour (secrets required, dev key refused). */
const NODE_ENVS = ['development', 'production', 'test'] as const;
/** One of {@link NODE_ENVS}. */
export type NodeEnv = (typeof NODE_ENVS)[number];

/**
 * Secret used for admin JWTs and upload tokens outside production when JWT_SECRET is unset. It is
 * public (it is in the source), like `test-key-dev`; it exists so that several dev instances and the
 * admin CLI agree on a secret without setup. Production refuses to start without a real one.
 */
export const DEV_JWT_SECRET = 'codesight-dev-only-insecure-jwt-secret-do-not-deploy';

/** HMAC-SHA256 keys shorter than the hash output weaken it; 32 characters is the usual floor. */
const MIN_JWT_SECRET_LENGTH = 32;

const MiB = 1024 * 1024;

/** Where blobs go when S3_BUCKET is set. */
export interface S3Settings {
  bucket: string;
  /** Custom endpoint (MinIO, s3rver, R2...); unset: AWS. */
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
}

/** Validated settings. Field names are camelCase; each maps to one environment variable. */
export interface Settings {
  nodeEnv: NodeEnv;
  port: number;
  host: string;
  /** Absolute base URL clients reach this server at (behind a proxy); unset: derived from the request. */
  publicUrl: string | undefined;
  /** Unset: embedded PGlite under `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Unset when S3_BUCKET is unset: blobs go to the file system under `dataDir`. */
  s3: S3Settings | undefined;
  jwtSecret: string;
  /** True when `jwtSecret` is the public development secret. */
  jwtSecretIsDevDefault: boolean;
  /** jose duration, e.g. `12h`, `30m`, `7d`. */
  jwtExpiresIn: string;
  /** Exact origins allowed by CORS besides every `chrome-extension://` origin. */
  corsOrigins: string[];
  /** Proxy hops in front of the server whose X-Forwarded-For entries are trusted; 0: ignore the header. */
  trustProxy: number;
  maxBodyBytes: number;
  maxFrameBytes: number;
  /** Bound on an inflated gzip frame or body. */
  maxInflatedBytes: number;
  rateLimitPerMinute: number;
  rateLimitPerMinuteIp: number;
  authTimeoutMs: number;
  abandonAfterMinutes: number;
  abandonSweepMs: number;
  /** Most chunks of one track (audio, video) per session: chunk indexes 0..max-1. */
  maxChunksPerSession: number;
  /** Most screenshots per session. */
  maxScreenshotsPerSession: number;
  /** How often expired upload intents and their unverified objects are removed. */
  uploadSweepMs: number;
  heartbeatMs: number;
  logLevel: LogLevel;
  /** Sockets from one client IP that may wait for their `authenticate` answer at once. */
  wsMaxPendingAuthPerIp: number;
  /** Open authenticated sockets per worker key (or admin subject), per instance. */
  wsMaxConnectionsPerKey: number;
  /** How often each open socket's credential is re-checked (revoked key, disabled worker, expired token). */
  credentialCheckMs: number;
}

const intFromEnv = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.number(),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const boolFromEnv = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.picklist(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'),
  v.transform((s) => s === 'true' || s === '1' || s === 'yes'),
);

/** `true` means one proxy (the usual load balancer); a number says how many proxies are chained. */
const trustProxyFromEnv = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^(true|false|yes|no|\d{1,2})$/, 'must be true, false or a number of proxy hops'),
  v.transform((s) => (s === 'true' || s === 'yes' ? 1 : s === 'false' || s === 'no' ? 0 : Number(s))),
);

// The subset of jose's duration syntax we document: a whole number and one unit.
const DURATION =
  /^\d+\s?(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)$/;

/** `scheme://host[:port]` of `s`, or undefined when `s` is not exactly an origin (a path, no scheme...). */
function asOrigin(s: string): string | undefined {
  try {
    const url = new URL(s);
    if (url.origin === 'null' || url.origin !== s.replace(/\/$/, '')) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

const nonEmpty = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'));

/** Environment variables read, each optional; defaults are applied after parsing. */
const EnvSchema = v.object({
  NODE_ENV: v.optional(v.picklist(NODE_ENVS, `must be one of ${NODE_ENVS.join(', ')}`)),
  PORT: v.optional(intFromEnv(0, 65_535)),
  HOST: v.optional(nonEmpty),
  PUBLIC_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.url('must be a URL like https://collector.example'),
      v.regex(/^https?:\/\//, 'must start with http:// or https://'),
    ),
  ),
  DATABASE_URL: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')),
  ),
  DATA_DIR: v.optional(nonEmpty),
  S3_BUCKET: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')),
  ),
  S3_ENDPOINT: v.optional(v.pipe(v.string(), v.trim(), v.url('must be a URL like http://127.0.0.1:9000'))),
  S3_REGION: v.optional(nonEmpty),
  S3_FORCE_PATH_STYLE: v.optional(boolFromEnv),
  JWT_SECRET: v.optional(
    v.pipe(v.string(), v.minLength(MIN_JWT_SECRET_LENGTH, `must be at least ${MIN_JWT_SECRET_LENGTH} characters`)),
  ),
  JWT_EXPIRES_IN: v.optional(v.pipe(v.string(), v.trim(), v.regex(DURATION, 'must be a duration like 12h, 30m or 7d'))),
  CORS_ORIGINS: v.optional(v.string()),
  TRUST_PROXY: v.optional(trustProxyFromEnv),
  MAX_BODY_BYTES: v.optional(intFromEnv(1024, 1024 * MiB)),
  MAX_FRAME_BYTES: v.optional(intFromEnv(1024, 1024 * MiB)),
  MAX_INFLATED_BYTES: v.optional(intFromEnv(1024, 4096 * MiB)),
  RATE_LIMIT_PER_MINUTE: v.optional(intFromEnv(1, 1_000_000)),
  RATE_LIMIT_PER_MINUTE_IP: v.optional(intFromEnv(1, 1_000_000)),
  AUTH_TIMEOUT_MS: v.optional(intFromEnv(100, 600_000)),
  ABANDON_AFTER_MINUTES: v.optional(intFromEnv(1, 525_600)),
  ABANDON_SWEEP_MS: v.optional(intFromEnv(1000, 86_400_000)),
  MAX_CHUNKS_PER_SESSION: v.optional(intFromEnv(1, 10_000_000)),
  MAX_SCREENSHOTS_PER_SESSION: v.optional(intFromEnv(1, 10_000_000)),
  UPLOAD_SWEEP_MS: v.optional(intFromEnv(1000, 86_400_000)),
  WS_HEARTBEAT_MS: v.optional(intFromEnv(1000, 3_600_000)),
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)),
  WS_MAX_PENDING_AUTH_PER_IP: v.optional(intFromEnv(1, 100_000)),
  WS_MAX_CONNECTIONS_PER_KEY: v.optional(intFromEnv(1, 100_000)),
  WS_CREDENTIAL_CHECK_MS: v.optional(intFromEnv(500, 600_000)),
});

/**
 * Defaults. Sizes: a legacy `screenshot_data` frame carries a base64 PNG (a full-HD one is 2–5 MB as
 * base64), and a batch of 5 000 events is ~1 MB gzip / ~10 MB inflated, so 16 MiB frames and bodies
 * and a 64 MiB inflate bound leave headroom without letting one client pin much memory.
 */
export const DEFAULTS = {
  port: 3000,
  dataDir: './data',
  s3Region: 'us-east-1',
  jwtExpiresIn: '12h',
  maxBodyBytes: 16 * MiB,
  maxFrameBytes: 16 * MiB,
  maxInflatedBytes: 64 * MiB,
  /**
   * Messages or requests per minute per API key. The legacy client streams one message per event
   * (scrolls every 200 ms, hovers, clicks: a busy page makes ~5/s); 1200/min is 20/s sustained.
   */
  rateLimitPerMinute: 1200,
  /** Per client IP, across keys: several workers may share an office NAT. */
  rateLimitPerMinuteIp: 3000,
  authTimeoutMs: 5000,
  /** Two hours: a worker may pause a session (lunch) without it being written off. */
  abandonAfterMinutes: 120,
  /** How often the abandon sweep runs; a minute is fine-grained enough for a two-hour threshold. */
  abandonSweepMs: 60_000,
  /** Per track: four hours of the recorder's default 1 s chunks. */
  maxChunksPerSession: 14_400,
  /** Four hours at the recorder's fastest, one frame per 600 ms (Chrome's capture quota): 24 000. */
  maxScreenshotsPerSession: 24_000,
  /** Upload URLs live 15 minutes; sweeping every minute keeps unverified objects around briefly after that. */
  uploadSweepMs: 60_000,
  /** Ping interval; a socket that missed one pong by the next ping is dropped. Below most proxies' 60 s idle timeout. */
  heartbeatMs: 30_000,
  logLevel: 'info' as LogLevel,
  /**
   * An honest client is unauthenticated for one database lookup (milliseconds), so even an office NAT
   * reconnecting after a restart rarely has more than a few pending at once; a client without a key
   * gets this many sockets, each holding at most a few KiB until AUTH_TIMEOUT_MS.
   */
  wsMaxPendingAuthPerIp: 20,
  /** The extension holds one socket per browser profile, old clients one per tab: 20 is generous. */
  wsMaxConnectionsPerKey: 20,
  /** Revocation reaches sockets by notification at once; this re-check is the safety net ("within seconds"). */
  credentialCheckMs: 5000,
} as const;

type Env = Record<string, string | undefined>;

/**
 * Reads and validates settings from `env`. Empty strings count as unset (a `FOO=` line in an env file
 * means "no value", not "the empty value"). Never throws: a failure carries every problem found, one
 * readable line each, for the caller to print (see {@link describeSettingsErrors}) before exiting 1.
 */
export function loadSettings(env: Env = process.env): Result<Settings, string[]> {
  const raw: Env = {};
  for (const key of Object.keys(EnvSchema.entries)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') raw[key] = value;
  }
  const parsed = v.safeParse(EnvSchema, raw);
  if (!parsed.success) {
    return err(describeIssues(parsed.issues).map((line) => `setting ${line}`));
  }
  const e = parsed.output;
  const errors: string[] = [];
  const nodeEnv = e.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';

  if (production && e.JWT_SECRET === undefined) {
    errors.push('setting JWT_SECRET: required when NODE_ENV=production (at least 32 random characters)');
  }
  if (e.JWT_SECRET === DEV_JWT_SECRET && production) {
    errors.push('setting JWT_SECRET: the public development secret cannot be used in production');
  }

  const corsOrigins: string[] = [];
  for (const item of (e.CORS_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const parsedOrigin = asOrigin(item);
    if (parsedOrigin) corsOrigins.push(parsedOrigin);
    else errors.push(`setting CORS_ORIGINS: "${item}" must be an origin (scheme://host[:port]) without a path`);
  }

  const s3Only = ['S3_ENDPOINT', 'S3_REGION', 'S3_FORCE_PATH_STYLE'] as const;
  if (e.S3_BUCKET === undefined) {
    for (const key of s3Only) {
      if (e[key] !== undefined) errors.push(`setting ${key}: has no effect without S3_BUCKET`);
    }
  }

  if (errors.length > 0) return err(errors);

  const settings: Settings = {
    nodeEnv,
    port: e.PORT ?? DEFAULTS.port,
    // Outside production the server accepts the public dev key, so it listens on loopback only;
    // production (containers, VMs behind a proxy) needs every interface.
    host: e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR ?? DEFAULTS.dataDir,
    s3:
      e.S3_BUCKET === undefined
        ? undefined
        : {
            bucket: e.S3_BUCKET,
            endpoint: e.S3_ENDPOINT,
            region: e.S3_REGION ?? DEFAULTS.s3Region,
            // Custom endpoints (MinIO, s3rver) rarely have wildcard DNS for virtual-hosted buckets.
            forcePathStyle: e.S3_FORCE_PATH_STYLE ?? e.S3_ENDPOINT !== undefined,
          },
    jwtSecret: e.JWT_SECRET ?? DEV_JWT_SECRET,
    jwtSecretIsDevDefault: e.JWT_SECRET === undefined || e.JWT_SECRET === DEV_JWT_SECRET,
    jwtExpiresIn: e.JWT_EXPIRES_IN ?? DEFAULTS.jwtExpiresIn,
    corsOrigins,
    trustProxy: e.TRUST_PROXY ?? 0,
    maxBodyBytes: e.MAX_BODY_BYTES ?? DEFAULTS.maxBodyBytes,
    maxFrameBytes: e.MAX_FRAME_BYTES ?? DEFAULTS.maxFrameBytes,
    maxInflatedBytes: e.MAX_INFLATED_BYTES ?? DEFAULTS.maxInflatedBytes,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE ?? DEFAULTS.rateLimitPerMinute,
    rateLimitPerMinuteIp: e.RATE_LIMIT_PER_MINUTE_IP ?? DEFAULTS.rateLimitPerMinuteIp,
    authTimeoutMs: e.AUTH_TIMEOUT_MS ?? DEFAULTS.authTimeoutMs,
    abandonAfterMinutes: e.ABANDON_AFTER_MINUTES ?? DEFAULTS.abandonAfterMinutes,
    abandonSweepMs: e.ABANDON_SWEEP_MS ?? DEFAULTS.abandonSweepMs,
    maxChunksPerSession: e.MAX_CHUNKS_PER_SESSION ?? DEFAULTS.maxChunksPerSession,
    maxScreenshotsPerSession: e.MAX_SCREENSHOTS_PER_SESSION ?? DEFAULTS.maxScreenshotsPerSession,
    uploadSweepMs: e.UPLOAD_SWEEP_MS ?? DEFAULTS.uploadSweepMs,
    heartbeatMs: e.WS_HEARTBEAT_MS ?? DEFAULTS.heartbeatMs,
    logLevel: e.LOG_LEVEL ?? DEFAULTS.logLevel,
    wsMaxPendingAuthPerIp: e.WS_MAX_PENDING_AUTH_PER_IP ?? DEFAULTS.wsMaxPendingAuthPerIp,
    wsMaxConnectionsPerKey: e.WS_MAX_CONNECTIONS_PER_KEY ?? DEFAULTS.wsMaxConnectionsPerKey,
    credentialCheckMs: e.WS_CREDENTIAL_CHECK_MS ?? DEFAULTS.credentialCheckMs,
  };
  return ok(settings);
}

/** The report printed when settings are invalid: a heading and one indented line per problem. */
export function describeSettingsErrors(errors: readonly string[]): string {
  return `Invalid settings:\n${errors.map((e) => `  - ${e}`).join('\n')}`;
}

/** True in production, where the public development key and secret are refused. */
export function isProduction(settings: Pick<Settings, 'nodeEnv'>): boolean {
  return settings.nodeEnv === 'production';
}
