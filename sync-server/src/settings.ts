import { isIP } from 'node:net';
import * as v from 'valibot';
import { describeIssues, err, ok, type PrivacyPolicy, type Result } from '@codesight/schema';
import { privacyPolicyFromEnv } from './privacy-settings';
import { MIN_METRICS_TOKEN_LENGTH, parseMetricsAllowFrom } from './metrics/metrics-access';

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

/**
 * The optional screenshot analysis (issue 13): an OpenAI-compatible vision endpoint. Set only when both
 * VISION_API_URL and VISION_API_KEY are; screenshots then leave the deployment (docs/server.md).
 */
export interface VisionSettings {
  /** Base URL of the API without a trailing slash, e.g. `https://api.openai.com/v1`. */
  apiUrl: string;
  /** Sent as `Authorization: Bearer`; never logged. */
  apiKey: string;
  model: string;
  /** Most screenshots of one session ever sent (per model): the cost bound of one session. */
  maxScreenshotsPerSession: number;
  /** One request's limit, answer included. */
  requestTimeoutMs: number;
}

/**
 * An old deployment's variable name that was read in place of the current one. main logs each once, so an
 * operator who copied the old `.env` learns the new name instead of silently getting a default.
 */
export interface LegacyName {
  legacy: string;
  current: string;
  /** What was done with it, for the log line. */
  note: string;
}

/** Validated settings. Field names are camelCase; each maps to one environment variable. */
export interface Settings {
  nodeEnv: NodeEnv;
  port: number;
  host: string;
  /**
   * Absolute base URL clients reach this server at (behind a proxy); unset: derived from the request.
   * Required in production: its host name is one the Host header check accepts.
   */
  publicUrl: string | undefined;
  /** Extra host names the Host header may carry (a proxy that forwards its upstream name); lower case. */
  allowedHosts: string[];
  /**
   * True when the server runs outside production on a non-loopback address because
   * ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK says so: anyone who can reach it is admin. main warns loudly.
   */
  devCredentialsOffLoopback: boolean;
  /** Old variable names read as aliases of current ones (see {@link LegacyName}). */
  legacyNames: LegacyName[];
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
  /** Requests and socket messages per minute per principal (worker, admin subject), once authenticated. */
  rateLimitPerMinute: number;
  /** Requests without a credential per minute per client IP (WebSocket upgrades included). */
  rateLimitPerMinuteIp: number;
  /** Failed authentications per minute per client IP; while spent, credentials from it are not checked. */
  rateLimitAuthFailuresPerMinuteIp: number;
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
  /** Sockets from anywhere that may be unauthenticated at once, per instance. */
  wsMaxPendingAuth: number;
  /** Sockets from one client IP that may be unauthenticated at once (connected, answer not sent yet). */
  wsMaxPendingAuthPerIp: number;
  /** Open authenticated sockets per worker key (or admin subject), per instance. */
  wsMaxConnectionsPerKey: number;
  /** How often each open socket's credential is re-checked (revoked key, disabled worker, expired token). */
  credentialCheckMs: number;
  /** How often this instance's job runner looks for due jobs. */
  jobsPollMs: number;
  /** Jobs this instance runs at once; 0: it runs none (other instances do). */
  jobsConcurrency: number;
  /** Longest an admin console session lasts, however active (issue 13). */
  adminSessionLifetimeMinutes: number;
  /** An admin console session unused this long is over. */
  adminSessionIdleMinutes: number;
  /** Failed sign-ins that lock an admin account; every multiple of it locks again, twice as long. */
  adminLockoutThreshold: number;
  /** Length of the first lock. */
  adminLockoutMinutes: number;
  /** Longest lock. */
  adminLockoutMaxMinutes: number;
  /** Sign-in attempts per minute per client IP, right or wrong. */
  adminSignInPerMinuteIp: number;
  /** Longest a graceful shutdown (SIGTERM, SIGINT) takes before the process exits 1 anyway. */
  shutdownTimeoutMs: number;
  /** The privacy policy served to extensions after authentication (issue 14; privacy-settings.ts). */
  privacyPolicy: PrivacyPolicy;
  /** Unset (the default): no screenshot is ever sent anywhere. */
  vision: VisionSettings | undefined;
  /** Bearer that may scrape `/metrics` without an admin account; unset: admins (and allowed networks) only. */
  metricsToken: string | undefined;
  /** Canonical CIDR networks whose TCP peers may scrape `/metrics` without a credential; empty: none. */
  metricsAllowFrom: string[];
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

const S3_BUCKET_NAME_RULE = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name'),
);

// A DNS name as a Host header carries it (no port): letters, digits, dots, dashes, underscores.
const HOST_NAME = /^[a-z0-9_](?:[a-z0-9_.-]{0,251}[a-z0-9_])?$/;

/**
 * True when `host` (the HOST setting) only accepts connections from this machine. Names other than
 * `localhost` are not resolved: an address that depends on DNS or /etc/hosts is not provably loopback.
 */
export function isLoopbackListenAddress(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || /^(0{1,4}:){7}0{0,3}1$/.test(h);
  return false;
}

/** True for the wildcard addresses that listen on every interface. */
export function isWildcardListenAddress(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}
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
  ALLOWED_HOSTS: v.optional(v.string()),
  ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK: v.optional(boolFromEnv),
  S3_BUCKET: v.optional(S3_BUCKET_NAME_RULE),
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
  RATE_LIMIT_AUTH_FAILURES_PER_MINUTE_IP: v.optional(intFromEnv(1, 1_000_000)),
  AUTH_TIMEOUT_MS: v.optional(intFromEnv(100, 600_000)),
  ABANDON_AFTER_MINUTES: v.optional(intFromEnv(1, 525_600)),
  ABANDON_SWEEP_MS: v.optional(intFromEnv(1000, 86_400_000)),
  MAX_CHUNKS_PER_SESSION: v.optional(intFromEnv(1, 10_000_000)),
  MAX_SCREENSHOTS_PER_SESSION: v.optional(intFromEnv(1, 10_000_000)),
  UPLOAD_SWEEP_MS: v.optional(intFromEnv(1000, 86_400_000)),
  WS_HEARTBEAT_MS: v.optional(intFromEnv(1000, 3_600_000)),
  LOG_LEVEL: v.optional(v.picklist(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`)),
  WS_MAX_PENDING_AUTH: v.optional(intFromEnv(1, 1_000_000)),
  WS_MAX_PENDING_AUTH_PER_IP: v.optional(intFromEnv(1, 100_000)),
  WS_MAX_CONNECTIONS_PER_KEY: v.optional(intFromEnv(1, 100_000)),
  WS_CREDENTIAL_CHECK_MS: v.optional(intFromEnv(500, 600_000)),
  JOBS_POLL_MS: v.optional(intFromEnv(100, 600_000)),
  JOBS_CONCURRENCY: v.optional(intFromEnv(0, 64)),
  ADMIN_SESSION_LIFETIME_MINUTES: v.optional(intFromEnv(5, 43_200)),
  ADMIN_SESSION_IDLE_MINUTES: v.optional(intFromEnv(1, 43_200)),
  ADMIN_LOCKOUT_THRESHOLD: v.optional(intFromEnv(1, 1000)),
  ADMIN_LOCKOUT_MINUTES: v.optional(intFromEnv(1, 10_080)),
  ADMIN_LOCKOUT_MAX_MINUTES: v.optional(intFromEnv(1, 525_600)),
  ADMIN_SIGN_IN_PER_MINUTE_IP: v.optional(intFromEnv(1, 10_000)),
  SHUTDOWN_TIMEOUT_MS: v.optional(intFromEnv(1000, 600_000)),
  // Read and checked by privacyPolicyFromEnv (privacy-settings.ts).
  PRIVACY_POLICY: v.optional(v.string()),
  PRIVACY_BLOCK_SELECTORS: v.optional(v.string()),
  PRIVACY_MASK_FIELDS: v.optional(v.string()),
  PRIVACY_POLICY_FILE: v.optional(nonEmpty),
  VISION_API_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.url('must be a URL like https://api.openai.com/v1'),
      v.regex(/^https?:\/\//, 'must start with http:// or https://'),
    ),
  ),
  VISION_API_KEY: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(4096, 'must be at most 4096 characters'))),
  VISION_MODEL: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^[\w.:/@-]{1,128}$/, 'must be a model name like gpt-4o-mini')),
  ),
  VISION_MAX_SCREENSHOTS_PER_SESSION: v.optional(intFromEnv(1, 100_000)),
  VISION_TIMEOUT_MS: v.optional(intFromEnv(1000, 600_000)),
  METRICS_TOKEN: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.minLength(MIN_METRICS_TOKEN_LENGTH, `must be at least ${MIN_METRICS_TOKEN_LENGTH} characters`),
      v.maxLength(512, 'must be at most 512 characters'),
      v.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
    ),
  ),
  METRICS_ALLOW_FROM: v.optional(v.string()),
});

/**
 * The old deployment's names (legacy collector README, "Backend (.env)"). They are read, never
 * ignored: copying the old `.env` must not silently send media to the local disk. `AWS_ACCESS_KEY_ID`
 * and `AWS_SECRET_ACCESS_KEY` need nothing: the AWS SDK reads them itself.
 */
const LegacyEnvSchema = v.object({
  S3_BUCKET_NAME: v.optional(S3_BUCKET_NAME_RULE),
  AWS_REGION: v.optional(nonEmpty),
  FRONTEND_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.url('must be a URL like https://console.example'),
      v.regex(/^https?:\/\//, 'must start with http:// or https://'),
    ),
  ),
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
   * Requests and socket messages per minute per principal (a worker across its keys, an admin subject),
   * charged once its credential is accepted and never to its address: a thousand workers behind one
   * office NAT each have their own. The legacy client streams one message per event (scrolls every
   * 200 ms, hovers, clicks: a busy page makes ~5/s); 1200/min is 20/s sustained.
   */
  rateLimitPerMinute: 1200,
  /**
   * Requests without a credential per minute per client IP: WebSocket upgrades (the socket's key comes
   * later, in its first message), health checks, anything unauthenticated. What a crowd behind one NAT
   * sends without a credential is its upgrades: 1,000 workers reconnecting at once (a server restart)
   * spend 1,000, and on the HTTP fallback the extension probes the WebSocket at 5, 10, 20, 40 s, so at
   * most ~5,000 in a bad minute. Each costs little (an answer from memory, or one socket under
   * WS_MAX_PENDING_AUTH_PER_IP), so 6,000 (100/s) leaves that crowd room and still stops a flood.
   */
  rateLimitPerMinuteIp: 6000,
  /**
   * Failed authentications per minute per client IP: a wrong or revoked key, a bad admin token, a
   * socket whose first frame is not a readable `authenticate`, an unknown upload id. While the budget is
   * spent, credentials from the address are refused before they are hashed or looked up, so a flood of
   * guessed keys costs a map lookup each. Honest failures are rare: a stale key retries on the
   * extension's backoff (1 s doubling to 5 min; each retry a socket and an HTTP check), about a dozen
   * failures in its first minute and under one a minute after, so 600 (10/s) absorbs dozens of keys
   * revoked at once in one office while a guessing flood gets 10 lookups a second.
   */
  rateLimitAuthFailuresPerMinuteIp: 600,
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
   * An honest socket is unauthenticated for one key lookup (milliseconds), but 1,000 workers behind one
   * NAT reconnecting at once (a server restart, 9:00) can all be waiting together while their lookups
   * queue behind a busy database: 20 refused such an office. The bound stays: a socket that has not
   * authenticated holds ~25 KiB of heap (measured: 1,000 silent sockets add 24 MiB; the request, the
   * `ws` objects and buffers; more only while its lookup runs: 8 KiB of `authenticate`, at most 64 KiB
   * of held text) for at most AUTH_TIMEOUT_MS (5 s). So one address pins at most ~25 MiB, and keeps
   * fewer open: each socket costs an upgrade from RATE_LIMIT_PER_MINUTE_IP, 100/s x 5 s = 500.
   */
  wsMaxPendingAuthPerIp: 1000,
  /**
   * The same bound across addresses: without it, sockets from many addresses (a botnet, an IPv6 range)
   * each under the per-address cap could hold unbounded memory, 25 KiB each and up to ~100 KiB while a
   * lookup runs with text held behind it. 4,000 (~100 MiB, ~400 MiB at worst) is four offices of 1,000
   * reconnecting in the same five seconds.
   */
  wsMaxPendingAuth: 4000,
  /** The extension holds one socket per browser profile, old clients one per tab: 20 is generous. */
  wsMaxConnectionsPerKey: 20,
  /** Revocation reaches sockets by notification at once; this re-check is the safety net ("within seconds"). */
  credentialCheckMs: 5000,
  /** A job waits at most a second to start; an idle poll is two small indexed queries. */
  jobsPollMs: 1000,
  /** Archive builds are CPU (deflate) and I/O: two at once keep a 2-core instance serving requests. */
  jobsConcurrency: 2,
  /** A working day: an admin signs in once in the morning, not again after lunch... */
  adminSessionLifetimeMinutes: 720,
  /** ...as long as the console is used: a browser left open and unattended is signed out after 30 min. */
  adminSessionIdleMinutes: 30,
  /** Five tries cover typos and a forgotten caps lock; a guesser gets five per lock. */
  adminLockoutThreshold: 5,
  /** 15 minutes, doubling to the maximum: a guesser gets about 35 tries in a first day, 5 a day after. */
  adminLockoutMinutes: 15,
  /** A day: long locks punish the admin (anyone can lock them out) more than the guesser. */
  adminLockoutMaxMinutes: 1440,
  /**
   * Every attempt costs ~170 ms of scrypt and 32 MiB while it runs: 10 a minute per address lets a
   * person mistype a few times and keeps one address from keeping the hash threads busy.
   */
  adminSignInPerMinuteIp: 10,
  /**
   * Below the usual process managers' own limits (systemd's TimeoutStopSec 90 s, Kubernetes' 30 s grace
   * period), so the server finishes by itself; long enough for in-flight batches (milliseconds) and the
   * sockets' close handshakes. Archive jobs still running are handed back to the queue, not waited for.
   */
  shutdownTimeoutMs: 20_000,
  /** Cheap, vision-capable, and accepts `max_tokens`; any model the endpoint serves can be named. */
  visionModel: 'gpt-4o-mini',
  /**
   * A session's screenshots come in bursts of three per click: 60 is the first twenty clicks' worth,
   * enough to tell its pages apart, and, since every screenshot is one billed request, a runaway session
   * cannot run up a large bill.
   */
  visionMaxScreenshotsPerSession: 60,
  /** A vision answer usually takes 2-10 s; a minute covers a slow, loaded endpoint. */
  visionTimeoutMs: 60_000,
} as const;

type Env = Record<string, string | undefined>;

/**
 * Reads and validates settings from `env`. Empty strings count as unset (a `FOO=` line in an env file
 * means "no value", not "the empty value"). Never throws: a failure carries every problem found, one
 * readable line each, for the caller to print (see {@link describeSettingsErrors}) before exiting 1.
 */
export function loadSettings(env: Env = process.env): Result<Settings, string[]> {
  const raw = readSet(env, Object.keys(EnvSchema.entries));
  const rawLegacy = readSet(env, Object.keys(LegacyEnvSchema.entries));
  const parsed = v.safeParse(EnvSchema, raw);
  const parsedLegacy = v.safeParse(LegacyEnvSchema, rawLegacy);
  if (!parsed.success || !parsedLegacy.success) {
    const issues = [...(parsed.issues ?? []), ...(parsedLegacy.issues ?? [])];
    return err(describeIssues(issues).map((line) => `setting ${line}`));
  }
  const errors: string[] = [];
  const legacyNames: LegacyName[] = [];
  const e = applyLegacyNames(parsed.output, parsedLegacy.output, errors, legacyNames);
  const nodeEnv = e.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';

  if (production && e.JWT_SECRET === undefined) {
    errors.push('setting JWT_SECRET: required when NODE_ENV=production (at least 32 random characters)');
  }
  if (e.JWT_SECRET === DEV_JWT_SECRET && production) {
    errors.push('setting JWT_SECRET: the public development secret cannot be used in production');
  }
  // The Host header check needs the name clients use; without it every request by name would be refused.
  if (production && e.PUBLIC_URL === undefined) {
    errors.push(
      'setting PUBLIC_URL: required when NODE_ENV=production (the URL clients reach the server at, e.g. https://collector.example; requests for other host names are refused)',
    );
  }

  // Outside production the public key and secret make anyone who can connect an admin, so the server
  // may only be reachable from this machine unless the operator says otherwise, on purpose.
  const host = e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1');
  const override = e.ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK ?? false;
  if (production && override) {
    errors.push(
      'setting ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK: has no effect when NODE_ENV=production (the development credentials are always refused there)',
    );
  }
  if (!production && !override && !isLoopbackListenAddress(host)) {
    errors.push(
      `setting HOST: ${host} is not a loopback address, and with NODE_ENV=${nodeEnv} the server accepts the public development key and JWT secret (anyone who connects would be admin). Listen on 127.0.0.1, run with NODE_ENV=production (JWT_SECRET and PUBLIC_URL required), or set ALLOW_DEV_CREDENTIALS_OFF_LOOPBACK=true to expose them anyway`,
    );
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

  const allowedHosts: string[] = [];
  for (const item of (e.ALLOWED_HOSTS ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    if (HOST_NAME.test(item)) allowedHosts.push(item);
    else errors.push(`setting ALLOWED_HOSTS: "${item}" must be a host name without scheme or port`);
  }

  const s3Only = ['S3_ENDPOINT', 'S3_REGION', 'S3_FORCE_PATH_STYLE'] as const;
  if (e.S3_BUCKET === undefined) {
    for (const key of s3Only) {
      if (e[key] !== undefined) errors.push(`setting ${key}: has no effect without S3_BUCKET`);
    }
  }

  if (
    (e.ADMIN_LOCKOUT_MAX_MINUTES ?? DEFAULTS.adminLockoutMaxMinutes) <
    (e.ADMIN_LOCKOUT_MINUTES ?? DEFAULTS.adminLockoutMinutes)
  ) {
    errors.push('setting ADMIN_LOCKOUT_MAX_MINUTES: must be at least ADMIN_LOCKOUT_MINUTES');
  }

  const vision = visionSettings(e, production, errors);
  const privacyPolicy = privacyPolicyFromEnv(e, errors);
  const metricsAllowFrom = parseMetricsAllowFrom(e.METRICS_ALLOW_FROM ?? '');
  errors.push(...metricsAllowFrom.errors);

  if (errors.length > 0) return err(errors);

  const settings: Settings = {
    nodeEnv,
    port: e.PORT ?? DEFAULTS.port,
    // Outside production the server accepts the public dev key, so it listens on loopback only;
    // production (containers, VMs behind a proxy) needs every interface.
    host,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    allowedHosts,
    devCredentialsOffLoopback: !production && override && !isLoopbackListenAddress(host),
    legacyNames,
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
    rateLimitAuthFailuresPerMinuteIp:
      e.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE_IP ?? DEFAULTS.rateLimitAuthFailuresPerMinuteIp,
    authTimeoutMs: e.AUTH_TIMEOUT_MS ?? DEFAULTS.authTimeoutMs,
    abandonAfterMinutes: e.ABANDON_AFTER_MINUTES ?? DEFAULTS.abandonAfterMinutes,
    abandonSweepMs: e.ABANDON_SWEEP_MS ?? DEFAULTS.abandonSweepMs,
    maxChunksPerSession: e.MAX_CHUNKS_PER_SESSION ?? DEFAULTS.maxChunksPerSession,
    maxScreenshotsPerSession: e.MAX_SCREENSHOTS_PER_SESSION ?? DEFAULTS.maxScreenshotsPerSession,
    uploadSweepMs: e.UPLOAD_SWEEP_MS ?? DEFAULTS.uploadSweepMs,
    heartbeatMs: e.WS_HEARTBEAT_MS ?? DEFAULTS.heartbeatMs,
    logLevel: e.LOG_LEVEL ?? DEFAULTS.logLevel,
    wsMaxPendingAuth: e.WS_MAX_PENDING_AUTH ?? DEFAULTS.wsMaxPendingAuth,
    wsMaxPendingAuthPerIp: e.WS_MAX_PENDING_AUTH_PER_IP ?? DEFAULTS.wsMaxPendingAuthPerIp,
    wsMaxConnectionsPerKey: e.WS_MAX_CONNECTIONS_PER_KEY ?? DEFAULTS.wsMaxConnectionsPerKey,
    credentialCheckMs: e.WS_CREDENTIAL_CHECK_MS ?? DEFAULTS.credentialCheckMs,
    jobsPollMs: e.JOBS_POLL_MS ?? DEFAULTS.jobsPollMs,
    jobsConcurrency: e.JOBS_CONCURRENCY ?? DEFAULTS.jobsConcurrency,
    adminSessionLifetimeMinutes: e.ADMIN_SESSION_LIFETIME_MINUTES ?? DEFAULTS.adminSessionLifetimeMinutes,
    adminSessionIdleMinutes: e.ADMIN_SESSION_IDLE_MINUTES ?? DEFAULTS.adminSessionIdleMinutes,
    adminLockoutThreshold: e.ADMIN_LOCKOUT_THRESHOLD ?? DEFAULTS.adminLockoutThreshold,
    adminLockoutMinutes: e.ADMIN_LOCKOUT_MINUTES ?? DEFAULTS.adminLockoutMinutes,
    adminLockoutMaxMinutes: e.ADMIN_LOCKOUT_MAX_MINUTES ?? DEFAULTS.adminLockoutMaxMinutes,
    adminSignInPerMinuteIp: e.ADMIN_SIGN_IN_PER_MINUTE_IP ?? DEFAULTS.adminSignInPerMinuteIp,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS ?? DEFAULTS.shutdownTimeoutMs,
    vision,
    privacyPolicy,
    metricsToken: e.METRICS_TOKEN,
    metricsAllowFrom: metricsAllowFrom.networks,
  };
  return ok(settings);
}

/**
 * The vision settings, or undefined when analysis is off. Half a configuration (a URL without a key or
 * the reverse, a model without either) is refused: the operator meant something, and guessing "off"
 * would hide it. In production the key only travels over https, loopback aside (a local model server).
 */
function visionSettings(e: ParsedEnv, production: boolean, errors: string[]): VisionSettings | undefined {
  const url = e.VISION_API_URL;
  const key = e.VISION_API_KEY;
  if (url === undefined && key === undefined) {
    for (const name of ['VISION_MODEL', 'VISION_MAX_SCREENSHOTS_PER_SESSION', 'VISION_TIMEOUT_MS'] as const) {
      if (e[name] !== undefined)
        errors.push(`setting ${name}: has no effect without VISION_API_URL and VISION_API_KEY`);
    }
    return undefined;
  }
  if (url === undefined) {
    errors.push('setting VISION_API_URL: required with VISION_API_KEY (the base URL, e.g. https://api.openai.com/v1)');
    return undefined;
  }
  if (key === undefined) {
    errors.push("setting VISION_API_KEY: required with VISION_API_URL (the endpoint's API key)");
    return undefined;
  }
  const parsed = new URL(url);
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
    errors.push('setting VISION_API_URL: must be a base URL without credentials, query or fragment');
    return undefined;
  }
  if (production && parsed.protocol !== 'https:' && !isLoopbackListenAddress(parsed.hostname)) {
    errors.push(
      'setting VISION_API_URL: must be https when NODE_ENV=production (the API key and screenshots would travel in clear), unless the host is loopback',
    );
    return undefined;
  }
  return {
    apiUrl: url.replace(/\/+$/, ''),
    apiKey: key,
    model: e.VISION_MODEL ?? DEFAULTS.visionModel,
    maxScreenshotsPerSession: e.VISION_MAX_SCREENSHOTS_PER_SESSION ?? DEFAULTS.visionMaxScreenshotsPerSession,
    requestTimeoutMs: e.VISION_TIMEOUT_MS ?? DEFAULTS.visionTimeoutMs,
  };
}

/** The variables of `keys` that are set in `env`; empty strings count as unset. */
function readSet(env: Env, keys: readonly string[]): Env {
  const raw: Env = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') raw[key] = value;
  }
  return raw;
}

type ParsedEnv = v.InferOutput<typeof EnvSchema>;
type ParsedLegacyEnv = v.InferOutput<typeof LegacyEnvSchema>;

/**
 * Reads the old names into the current ones. Where both are set and disagree the operator's intent is
 * unknown, so start-up is refused (AWS_REGION aside: AWS runtimes set it themselves, so S3_REGION wins).
 */
function applyLegacyNames(e: ParsedEnv, legacy: ParsedLegacyEnv, errors: string[], names: LegacyName[]): ParsedEnv {
  const out = { ...e };
  if (legacy.S3_BUCKET_NAME !== undefined) {
    if (out.S3_BUCKET === undefined) {
      out.S3_BUCKET = legacy.S3_BUCKET_NAME;
      names.push({ legacy: 'S3_BUCKET_NAME', current: 'S3_BUCKET', note: 'read as S3_BUCKET; rename it' });
    } else if (out.S3_BUCKET !== legacy.S3_BUCKET_NAME) {
      errors.push(
        `setting S3_BUCKET_NAME: the old name of S3_BUCKET, and the two name different buckets (${legacy.S3_BUCKET_NAME}, ${out.S3_BUCKET}); keep only S3_BUCKET`,
      );
    } else {
      names.push({ legacy: 'S3_BUCKET_NAME', current: 'S3_BUCKET', note: 'same as S3_BUCKET; remove it' });
    }
  }
  // Only for S3: on AWS the runtime sets AWS_REGION for every process, file-system blob store or not.
  if (legacy.AWS_REGION !== undefined && out.S3_BUCKET !== undefined) {
    if (out.S3_REGION === undefined) {
      out.S3_REGION = legacy.AWS_REGION;
      names.push({ legacy: 'AWS_REGION', current: 'S3_REGION', note: 'read as S3_REGION; set S3_REGION instead' });
    } else if (out.S3_REGION !== legacy.AWS_REGION) {
      names.push({
        legacy: 'AWS_REGION',
        current: 'S3_REGION',
        note: `ignored for the bucket: S3_REGION (${out.S3_REGION}) is set`,
      });
    }
  }
  if (legacy.FRONTEND_URL !== undefined) {
    // The old web console's address: the browser origin it called the API from.
    const origin = new URL(legacy.FRONTEND_URL).origin;
    const listed = (out.CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => asOrigin(s.trim()))
      .filter((o): o is string => o !== undefined);
    if (out.CORS_ORIGINS === undefined || out.CORS_ORIGINS.trim() === '') {
      out.CORS_ORIGINS = origin;
      names.push({
        legacy: 'FRONTEND_URL',
        current: 'CORS_ORIGINS',
        note: `read as CORS_ORIGINS=${origin}; set CORS_ORIGINS instead`,
      });
    } else if (!listed.includes(origin)) {
      errors.push(
        `setting FRONTEND_URL: the old name of an allowed browser origin, but CORS_ORIGINS is set and does not list ${origin}; add it to CORS_ORIGINS or remove FRONTEND_URL`,
      );
    } else {
      names.push({ legacy: 'FRONTEND_URL', current: 'CORS_ORIGINS', note: 'already in CORS_ORIGINS; remove it' });
    }
  }
  return out;
}

/** The report printed when settings are invalid: a heading and one indented line per problem. */
export function describeSettingsErrors(errors: readonly string[]): string {
  return `Invalid settings:\n${errors.map((e) => `  - ${e}`).join('\n')}`;
}

/** True in production, where the public development key and secret are refused. */
export function isProduction(settings: Pick<Settings, 'nodeEnv'>): boolean {
  return settings.nodeEnv === 'production';
}
