import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createApp } from '../app';
import { signAdminToken } from '../auth/admin-token';
import { createWorkerWithKey } from '../auth/api-keys';
import type { BlobStore } from '../blobs/blob-store';
import { createFsBlobStore } from '../blobs/fs-blob-store';
import { createDatabase, type OpenDatabase } from '../db/database';
import { migrateToLatest } from '../db/migrate';
import type { AppEnv } from '../http/app-env';
import { createLogger } from '../log';
import type { Settings } from '../settings';
import { testSettings } from './test-settings';

/**
 * An in-process app on its own PGlite database and file-system blob store (one per test file),
 * with helpers to mint credentials and make requests. Not a test itself.
 */
export interface TestApp {
  app: Hono<AppEnv>;
  open: OpenDatabase;
  blobs: BlobStore;
  settings: Settings;
  dir: string;
  /** Every log line written so far, parsed. */
  logs: Record<string, unknown>[];
  /** Raw log lines, to assert nothing secret was logged. */
  rawLogs: string[];
  /** A new worker and its API key. */
  createWorker(name?: string): Promise<{ workerId: string; key: string; keyId: string }>;
  /** An admin JWT signed with the app's secret. */
  adminToken(expiresIn?: string): Promise<string>;
  /** `app.request` with JSON and credentials filled in. */
  request(path: string, options?: RequestOptions): Promise<Response>;
  /** Another app on the same database and blob store with other settings (fresh rate limiters). */
  variant(overrides: Partial<Settings>): {
    app: Hono<AppEnv>;
    request(path: string, options?: RequestOptions): Promise<Response>;
  };
  close(): Promise<void>;
}

export interface RequestOptions {
  method?: string;
  /** Sent as `Authorization: Bearer ...`. */
  bearer?: string;
  /** Sent as `X-API-Key`. */
  apiKey?: string;
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  /** Client address seen by the server (node bindings), default 127.0.0.1. */
  ip?: string;
}

/**
 * Timeout for the `beforeAll` that creates the app: PGlite's WASM start alone takes 2.5-4.5 s, several
 * times that while other test files start theirs on the same two cores.
 */
export const APP_START_TIMEOUT_MS = 60_000;

/** A secret for tests: long enough for the settings check, obviously not a real one. */
export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';

/** A request function for `app` that fills in JSON, credentials and the client address. */
function requester(app: Hono<AppEnv>) {
  return (path: string, options: RequestOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.bearer !== undefined) headers.authorization = `Bearer ${options.bearer}`;
    if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(options.json);
    }
    const method = options.method ?? (body !== undefined ? 'POST' : 'GET');
    const env = { incoming: { socket: { remoteAddress: options.ip ?? '127.0.0.1' } } };
    return Promise.resolve(app.request(path, { method, headers, body }, env));
  };
}

/** Creates the app on a fresh PGlite database in a temp directory; call close() in afterAll. */
export async function createTestApp(overrides: Partial<Settings> = {}): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'app-test-'));
  const settings = testSettings({
    dataDir: dir,
    jwtSecret: TEST_JWT_SECRET,
    jwtSecretIsDevDefault: false,
    // Route tests make many requests from one address; rate-limit tests lower these explicitly.
    rateLimitPerMinute: 100_000,
    rateLimitPerMinuteIp: 100_000,
    rateLimitAuthFailuresPerMinuteIp: 100_000,
    ...overrides,
  });
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('debug', (line) => {
    rawLogs.push(line);
    logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const open = await createDatabase({ dataDir: dir });
  try {
    await migrateToLatest(open.db);
  } catch (err) {
    await open.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const blobs = createFsBlobStore({ dataDir: dir });
  const app = createApp({ settings, db: open.db, dbKind: open.kind, blobs, logger });

  return {
    app,
    open,
    blobs,
    settings,
    dir,
    logs,
    rawLogs,
    async createWorker(name = 'Test worker') {
      const issued = await createWorkerWithKey(open.db, name);
      return { workerId: issued.workerId, key: issued.key, keyId: issued.keyId };
    },
    adminToken: (expiresIn = '1h') => signAdminToken(settings.jwtSecret, 'test-admin', expiresIn),
    request: requester(app),
    variant(variantOverrides) {
      const variantApp = createApp({
        settings: { ...settings, ...variantOverrides },
        db: open.db,
        dbKind: open.kind,
        blobs,
        logger,
      });
      return { app: variantApp, request: requester(variantApp) };
    },
    async close() {
      await open.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
